using System.Net;
using Workbooks.Transport;

namespace Workbooks.Transport.Policies;

/// <summary>
/// Follows the service's redirects (its delaying URL for over-eager clients) by re-sending the same request to the
/// Location, a bounded number of times. Redirects to another origin are refused so credentials never leave the service.
/// </summary>
internal sealed class RedirectPolicy(WorkbooksOptions options, RuntimeMetrics metrics) : PipelinePolicy
{
    public override async Task<HttpResponseMessage> SendAsync(PipelineMessage message, CancellationToken cancellationToken)
    {
        for (var hops = 0; ; hops++)
        {
            var response = await NextAsync(message, cancellationToken).ConfigureAwait(false);
            var kind = Redirects.Classify(response, message.Target, options.Service!, out var target);
            // A logout's redirect (to the login page) is its success; a login redirect that reaches this policy is one
            // the session policy could not recover from, so the caller sees the invalid session.
            if (kind is RedirectKind.None or RedirectKind.Login || message.Request.Kind == WorkbooksRequestKind.Logout)
                return response;
            response.Dispose();
            if (kind == RedirectKind.ForeignOrigin)
                throw new WorkbooksException($"{message.Request} was redirected to another origin ({target!.GetLeftPart(UriPartial.Authority)}); it was not followed, so no credentials were sent there.",
                    HttpStatusCode.Found, null, message.Request.ToString());
            if (hops >= options.MaxRedirects)
                throw new WorkbooksRateLimitException($"{message.Request} was redirected {hops + 1} times (the service's delaying redirects): gave up after {options.MaxRedirects}.", message.Request.ToString());
            message.Target = target!;
            metrics.DelayingRedirects.Add(1);
            message.Redirected = true;
        }
    }
}
