using Workbooks.Transport;

namespace Workbooks.Transport.Policies;

/// <summary>One step of the pipeline. Policies run in a fixed order and each calls the next.</summary>
internal abstract class PipelinePolicy
{
    public PipelinePolicy? Next { get; set; }

    public abstract Task<HttpResponseMessage> SendAsync(PipelineMessage message, CancellationToken cancellationToken);

    protected Task<HttpResponseMessage> NextAsync(PipelineMessage message, CancellationToken cancellationToken) =>
        Next!.SendAsync(message, cancellationToken);
}
