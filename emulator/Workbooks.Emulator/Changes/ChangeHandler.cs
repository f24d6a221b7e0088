using Workbooks.Emulator.Http;
using Workbooks.Emulator.Query;
using Workbooks.Emulator.Schema;
using Workbooks.Emulator.Sessions;

namespace Workbooks.Emulator.Changes;

/// <summary>A stored file (an upload_files record's content).</summary>
internal sealed record StoredFile(byte[] Content, string FileName, string ContentType);

/// <summary>The settings of one change request (from the session and the request).</summary>
internal sealed record ChangeContext(EmulatorUser User, string? ApplicationName, bool PerObjectTransactions, bool StrictAttributeChecking, OutputFormats Formats, DateTime Now)
{
    /// <summary>Whether the request asks for the change to happen in the background (<c>_asynchronous_cf=true</c>, notes §3.15).</summary>
    public bool Asynchronous { get; init; }

    /// <summary>The settings of a change request: its own parameters first, then the session's, then the defaults.</summary>
    public static ChangeContext For(CallContext call, string userAgent, DateTime now)
    {
        var p = call.Parameters;
        return new ChangeContext(call.User,
            call.Session?.ApplicationName ?? p.GetOptional("_application_name") ?? p.GetOptional("application_name") ?? LoginHandler.FirstWord(userAgent),
            (p.Get("_per_object_transactions") is { } pot ? WireValues.ParseBoolean(pot) : call.Session?.PerObjectTransactions) ?? false,
            (p.Get("_strict_attribute_checking") is { } sac ? WireValues.ParseBoolean(sac) : call.Session?.StrictAttributeChecking) ?? false,
            call.Formats, now)
        {
            Asynchronous = p.Get("_asynchronous_cf") is { } asynchronous && WireValues.ParseBoolean(asynchronous),
        };
    }
}

/// <summary>
/// The batched change request (PUT): a square array of records, each created, updated or deleted as its
/// <c>__method[]</c> says, inside the working set the filter selects. All-or-nothing unless per-object
/// transactions are asked for. Responses follow the guide's examples field for field.
/// In stages: <see cref="ChangeRequestParser"/> (the square arrays into one change per object),
/// <see cref="ChangeValidator"/>, <see cref="ChangeApplier"/> and <see cref="ChangeAnswer"/>.
/// </summary>
internal static class ChangeHandler
{
    /// <summary>
    /// Carries out a change request and returns its answer, to be written once the database's gate is released.
    /// Throws <see cref="RequestRejectedException"/> (nothing changed) for a request that cannot be read or whose
    /// filter is unusable, and <see cref="SchemaChangedException"/> (nothing read or changed) when the schema changed
    /// since <paramref name="type"/> was looked up.
    /// </summary>
    public static ChangeAnswer Handle(RecordTypeDef type, RequestParameters p, EmulatorDatabase database, ChangeContext context, int maxObjects)
    {
        var changes = ChangeRequestParser.Parse(type, p, maxObjects);
        lock (database.Gate)
        {
            // First: throws (before anything is read or changed) when the schema changed since the type was chosen.
            var store = database.Store(type);
            var terms = FilterCompiler.ReadTerms(p);
            var filter = terms.Count == 0 ? null : FilterCompiler.Compile(type, terms, p.Get("_fm"), database, context.Now);
            var outcomes = ChangeValidator.Validate(changes, type, store, filter, context);
            var applied = ChangeApplier.Apply(outcomes, type, store, database, context);
            return new ChangeAnswer(outcomes, applied, context);
        }
    }
}
