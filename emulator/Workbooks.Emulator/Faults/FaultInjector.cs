using Microsoft.AspNetCore.Http;
using Workbooks.Emulator.Http;
using Workbooks.Emulator.Sessions;

namespace Workbooks.Emulator.Faults;

/// <summary>
/// The network and the faults a test asks for: the configured latency, the injected faults that stop a request before
/// it is processed, and those that let it be processed and then spoil the answer (carried out by
/// <see cref="ResponseWriter"/> from the <see cref="ResponseStyle"/>).
/// </summary>
internal sealed class FaultInjector(WorkbooksEmulatorOptions options, EmulatorControl control, DelayingRedirects delays)
{
    /// <summary><see cref="WorkbooksEmulatorOptions.Latency"/>, before anything else.</summary>
    public Task DelayForLatencyAsync(HttpContext context) =>
        options.Latency > TimeSpan.Zero ? Task.Delay(options.Latency, context.RequestAborted) : Task.CompletedTask;

    /// <summary>
    /// Takes a fault that acts before the request is processed. True when it answered the request (nothing more is
    /// to be done); false when the request goes on (possibly after a late delivery, or with its session expired).
    /// </summary>
    public async Task<bool> TryAnswerBeforeProcessingAsync(HttpContext context, IncomingRequest request)
    {
        var fault = control.TakeFault(request.Method, request.Path, k => k is EmulatorFaultKind.ServerError or EmulatorFaultKind.DelayingRedirect
            or EmulatorFaultKind.DropConnection or EmulatorFaultKind.ExpireSession or EmulatorFaultKind.LateDelivery or EmulatorFaultKind.Redirect);
        switch (fault?.Kind)
        {
            case EmulatorFaultKind.ServerError:
                await FailureWriter.WriteAsync(context, request.Style, Failure.InjectedServerError(fault.StatusCode)).ConfigureAwait(false);
                return true;
            case EmulatorFaultKind.DelayingRedirect:
                await delays.RedirectAsync(context, fault.Delay, request.Style).ConfigureAwait(false);
                return true;
            case EmulatorFaultKind.DropConnection:
                context.Abort();
                return true;
            case EmulatorFaultKind.Redirect:
                await ResponseWriter.RedirectAsync(context, fault.Location ?? "/", request.Style).ConfigureAwait(false);
                return true;
            case EmulatorFaultKind.ExpireSession:
                if (context.Request.Cookies.TryGetValue(Authenticator.SessionCookie, out var expiring))
                    control.ExpireSession(expiring);
                return false;
            case EmulatorFaultKind.LateDelivery:
                // The request is on its way for longer than the client waits: it is processed whether or not anyone
                // is still listening (deliberately not cancelled by RequestAborted).
                await Task.Delay(fault.Delay, CancellationToken.None).ConfigureAwait(false);
                return false;
            default:
                return false;
        }
    }

    /// <summary>Takes a fault that lets the request be processed and then spoils the answer: it is marked on the style.</summary>
    public void SpoilAfterProcessing(IncomingRequest request)
    {
        var style = request.Style;
        var late = control.TakeFault(request.Method, request.Path, k => k is EmulatorFaultKind.Slow or EmulatorFaultKind.TruncateResponse or EmulatorFaultKind.DropConnectionAfterProcessing
            or EmulatorFaultKind.ServerErrorAfterProcessing or EmulatorFaultKind.StallBody or EmulatorFaultKind.CorruptGzip or EmulatorFaultKind.MalformedJson
            or EmulatorFaultKind.ReplaceBody);
        switch (late?.Kind)
        {
            case EmulatorFaultKind.Slow: style.SlowBy = late.Delay; break;
            case EmulatorFaultKind.TruncateResponse: style.Truncate = true; break;
            case EmulatorFaultKind.DropConnectionAfterProcessing: style.DropAfterProcessing = true; break;
            case EmulatorFaultKind.ServerErrorAfterProcessing: style.ErrorAfterProcessing = late.StatusCode; break;
            case EmulatorFaultKind.StallBody: style.StallFor = late.Delay; break;
            case EmulatorFaultKind.CorruptGzip: style.CorruptGzip = true; break;
            case EmulatorFaultKind.MalformedJson: style.MalformedJson = true; break;
            case EmulatorFaultKind.ReplaceBody: style.Replacement = late; break;
        }
    }
}
