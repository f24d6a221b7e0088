using System.Text;
using Workbooks.Cli;

using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancellation.Cancel();
};
Console.OutputEncoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
AppDomain.CurrentDomain.ProcessExit += (_, _) => cancellation.Cancel(); // SIGTERM: stop as for Ctrl-C
var app = new CliApp(Console.Out, Console.Error, Environment.GetEnvironmentVariable, SecretPrompt.Read) { ErrorIsTerminal = !Console.IsErrorRedirected };
return await app.RunAsync(args, cancellation.Token).ConfigureAwait(false);
