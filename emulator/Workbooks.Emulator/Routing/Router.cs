using Microsoft.AspNetCore.Http;
using Workbooks.Emulator.Changes;
using Workbooks.Emulator.Extras;
using Workbooks.Emulator.Faults;
using Workbooks.Emulator.Http;
using Workbooks.Emulator.Query;
using Workbooks.Emulator.Schema;
using Workbooks.Emulator.Sessions;

namespace Workbooks.Emulator.Routing;

/// <summary>
/// Path to handler: the routes served without a session (the delaying URL, login, logout), then, for an authenticated
/// request, metadata, reports, picklist data, downloads, search, PDFs and the record endpoints (index and change).
/// </summary>
internal sealed class Router(WorkbooksService service, Authenticator authentication, DelayingRedirects delays, ChurnSimulator churn)
{
    /// <summary>Serves the routes that need no session. False when the request is for another route.</summary>
    public async Task<bool> TryServeWithoutSessionAsync(HttpContext context, IncomingRequest request)
    {
        var route = request.Route;
        if (route.StartsWith(DelayingRedirects.RoutePrefix, StringComparison.Ordinal))
            await delays.ServeAsync(context, route[DelayingRedirects.RoutePrefix.Length..], request.Style).ConfigureAwait(false);
        else if (route == "login")
            await authentication.LoginAsync(context, request).ConfigureAwait(false);
        else if (route == "logout")
            await authentication.LogoutAsync(context, request).ConfigureAwait(false);
        else
            return false;
        return true;
    }

    /// <summary>
    /// Serves an authenticated request with the schema served now; when the schema changes under it before it reached
    /// the records (nothing was read or changed), it is served again, whole, with the new one.
    /// </summary>
    public async Task DispatchAsync(HttpContext context, IncomingRequest request, CallContext call)
    {
        for (var attempt = 1; ; attempt++)
        {
            var schema = service.Schema;
            // A change may have swapped the schema and not reached this database yet: the request waits for it.
            if (!ReferenceEquals(call.Database.Schema, schema))
                service.Migrate(call.Database);
            try
            {
                await DispatchAsync(context, request.Route, request.Extension, call, request.Style, schema).ConfigureAwait(false);
                return;
            }
            catch (SchemaChangedException) when (attempt < 3 && !context.Response.HasStarted)
            {
                // The schema changed after the request chose its record type and before it reached the records:
                // nothing was read or changed, so it is served again, whole, with the new schema (the database is
                // brought up to it first, as the change would have done a moment later).
                service.Migrate(call.Database);
            }
        }
    }

    /// <summary>Serves a request with one schema: every record type it uses is looked up in <paramref name="schema"/>.</summary>
    private async Task DispatchAsync(HttpContext context, string route, string extension, CallContext call, ResponseStyle style, EmulatorSchema schema)
    {
        var extras = new ExtrasHandler(service, schema);
        if (route == "metadata/types")
        {
            RequireRead(call);
            await extras.MetadataAsync(context, call, style).ConfigureAwait(false);
            return;
        }
        if (route.EndsWith("/metadata", StringComparison.Ordinal) && schema.ByControllerPath.TryGetValue(route[..^"/metadata".Length], out var described))
        {
            // <controller>/metadata.api: the one record type's metadata, as metadata/types.api gives it.
            RequireRead(call);
            await extras.MetadataAsync(context, call, style, described).ConfigureAwait(false);
            return;
        }
        if (route.StartsWith("data_view/", StringComparison.Ordinal))
        {
            RequireRead(call);
            await extras.DataViewAsync(context, route["data_view/".Length..], extension, call, style).ConfigureAwait(false);
            return;
        }
        // The vendor's report example reads a data view's output as data_views/<id>.csv: the same as data_view/<id>.
        if (route.StartsWith("data_views/", StringComparison.Ordinal) && extension is "csv" or "xlsx" or "api" or "json")
        {
            RequireRead(call);
            await extras.DataViewAsync(context, route["data_views/".Length..], extension, call, style).ConfigureAwait(false);
            return;
        }
        if (route.StartsWith("picklist_data/", StringComparison.Ordinal))
        {
            RequireRead(call);
            await extras.PicklistDataAsync(context, route["picklist_data/".Length..], call, style).ConfigureAwait(false);
            return;
        }
        if (route.StartsWith("upload_files/", StringComparison.Ordinal) && route.EndsWith("/download", StringComparison.Ordinal))
        {
            RequireRead(call);
            await extras.DownloadAsync(context, route["upload_files/".Length..^"/download".Length], call, style).ConfigureAwait(false);
            return;
        }
        if (route == "searchables" && call.Parameters.Get("search") is { } search)
        {
            RequireRead(call);
            await extras.SearchAsync(context, search, call, style).ConfigureAwait(false);
            return;
        }
        if (extension == "pdf")
        {
            RequireRead(call);
            await extras.PdfAsync(context, route, call, style).ConfigureAwait(false);
            return;
        }
        if (route == SalesTaxResolveHandler.Route)
        {
            await SalesTaxResolveHandler.HandleAsync(context, call, style, schema).ConfigureAwait(false);
            return;
        }
        if (!schema.ByControllerPath.TryGetValue(route, out var type))
            throw new RequestRejectedException(404, $"No such resource: /{route}.{extension}");
        if (extension is not ("api" or "json"))
            throw new RequestRejectedException(406, $"The .{extension} format is not available for {type.HumanNamePlural}.");

        var isChange = call.Method == "PUT" || (call.Method == "POST" && call.Parameters.GetArray("__method").Count > 0);
        if (isChange)
        {
            await ServeChangeAsync(context, type, call, style).ConfigureAwait(false);
            return;
        }
        if (call.Method is "GET" or "POST")
        {
            await ServeIndexAsync(context, type, call, style).ConfigureAwait(false);
            return;
        }
        if (call.Method == "DELETE")
            throw new RequestRejectedException(405, "Delete records with a PUT request carrying __method[]=DELETE.");
        throw new RequestRejectedException(501, $"The HTTP method {call.Method} is not implemented.");
    }

    private async Task ServeIndexAsync(HttpContext context, RecordTypeDef type, CallContext call, ResponseStyle style)
    {
        var page = IndexQuery.Run(type, call.Parameters, call.Database, service.Options, service.Now);
        churn.AfterIndexPage(type, call.Database);
        var now = service.Now;
        await ResponseWriter.WriteJsonAsync(context, 200, style, w => IndexQuery.WriteAnswer(w, page, call.Formats, now)).ConfigureAwait(false);
    }

    private async Task ServeChangeAsync(HttpContext context, RecordTypeDef type, CallContext call, ResponseStyle style)
    {
        if (Authenticator.CheckAuthenticityToken(call) is { } refused)
        {
            await FailureWriter.WriteAsync(context, style, refused).ConfigureAwait(false);
            return;
        }
        var changeContext = ChangeContext.For(call, context.Request.Headers.UserAgent.ToString(), service.Now);
        // Carried out before anything is written, so a rejected request still answers 406 cleanly.
        var answer = ChangeHandler.Handle(type, call.Parameters, call.Database, changeContext, service.Options.MaxObjectsPerRequest);
        call.Database.ApplySchemaGrowth(); // before answering: the next request sees a new custom record type or field
        await ResponseWriter.WriteJsonAsync(context, 200, style, answer.Write).ConfigureAwait(false);
    }

    private static void RequireRead(CallContext call)
    {
        if (call.Method is not ("GET" or "POST"))
            throw new RequestRejectedException(405, $"This resource does not allow {call.Method}.");
    }
}
