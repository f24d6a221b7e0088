using Microsoft.AspNetCore.Http;

namespace Workbooks.Emulator.Http;

/// <summary>Records each request once in <see cref="EmulatorControl.Requests"/>, with the status it was answered with.</summary>
internal sealed class RequestRecorder
{
    private static readonly string[] RecordedHeaders = ["User-Agent", "Cookie", "Accept-Encoding", "Content-Type"];
    private readonly IncomingRequest _request;
    private readonly EmulatorControl _control;
    private int _recorded;

    private RequestRecorder(IncomingRequest request, EmulatorControl control)
    {
        _request = request;
        _control = control;
    }

    /// <summary>
    /// Records the request as its response starts, before the client can see it, so a test that reads
    /// <see cref="EmulatorControl.Requests"/> right after its call returns always finds the request.
    /// </summary>
    public static RequestRecorder Start(IncomingRequest request, EmulatorControl control)
    {
        var recorder = new RequestRecorder(request, control);
        request.Context.Response.OnStarting(() => { recorder.RecordOnce(); return Task.CompletedTask; });
        return recorder;
    }

    /// <summary>A request whose response never started (the client went away) is still recorded.</summary>
    public void Finish()
    {
        if (!_request.Context.Response.HasStarted)
            RecordOnce();
    }

    private void RecordOnce()
    {
        if (Interlocked.Exchange(ref _recorded, 1) != 0) return;
        var context = _request.Context;
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var name in RecordedHeaders)
            if (context.Request.Headers.TryGetValue(name, out var v)) headers[name] = v.ToString();
        _control.Record(new RecordedRequest(_request.Method, _request.Path, _request.Parameters?.ToPairs() ?? [], context.Response.StatusCode, headers));
    }
}
