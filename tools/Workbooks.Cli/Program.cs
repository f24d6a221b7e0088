using System.Text;
using Workbooks.Cli;

using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancellation.Cancel();
};
Console.OutputEncoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
// SIGTERM (docker stop, systemd, CI timeouts) stops the command as Ctrl-C does: cleanly, at its next await.
using var terminate = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    cancellation.Cancel();
});
var app = new CliApp(Console.Out, Console.Error, Environment.GetEnvironmentVariable, SecretPrompt.Read) { ErrorIsTerminal = !Console.IsErrorRedirected };
return await app.RunAsync(args, cancellation.Token).ConfigureAwait(false);
