using Workbooks.Transport;

namespace Workbooks.Transport.Policies;

/// <summary><c>client=api</c> on every request but logout, and the unambiguous output formats on reads when asked
/// (the User-Agent is a header, the <c>_dc</c> cache-buster is added by the transport).</summary>
internal sealed class ClientParametersPolicy(WorkbooksOptions options) : PipelinePolicy
{
    public override Task<HttpResponseMessage> SendAsync(PipelineMessage message, CancellationToken cancellationToken)
    {
        if (message.Request.Kind != WorkbooksRequestKind.Logout)
            message.Extra.Add(new(Protocol.Client, Protocol.ClientApi));
        if (options.RequestUnambiguousFormats && message.Request.Kind == WorkbooksRequestKind.Read)
        {
            message.Extra.Add(new("_json_output_datetime_format", "%s"));
            message.Extra.Add(new("_json_output_date_format", "%Y-%m-%d"));
        }
        return NextAsync(message, cancellationToken);
    }
}
