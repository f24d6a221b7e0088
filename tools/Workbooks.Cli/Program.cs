using System.Text;
using Workbooks.Cli;

using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancellation.Cancel();
};
Console.OutputEncoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
return await CliApp.RunAsync(args, Console.Out, Console.Error, Environment.GetEnvironmentVariable, SecretPrompt.Read, cancellation.Token)
    .ConfigureAwait(false);
