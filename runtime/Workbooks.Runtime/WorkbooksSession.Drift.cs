using System.Text.Json;
using Workbooks.Transport;

namespace Workbooks;

public sealed partial class WorkbooksSession
{
    /// <summary>
    /// Compares the live metadata of some record types with a snapshot of them (what a generated client was built from;
    /// generated clients call this from their own <c>CheckSchemaDriftAsync()</c>). A record type or field gone, or a
    /// field whose datatype changed, is breaking drift; a field added is compatible. One metadata request.
    /// </summary>
    /// <param name="snapshot">Each record type's class name, and its fields with their datatypes, as the snapshot has them.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public async Task<SchemaDriftReport> CheckSchemaDriftAsync(
        IEnumerable<(string ClassName, IReadOnlyList<(string Name, string Datatype)> Fields)> snapshot, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var expected = snapshot.ToArray();
        using var live = await GetMetadataAsync(expected.Select(t => t.ClassName), ["class_name", "fields"], cancellationToken).ConfigureAwait(false);
        var types = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        if (!ResponseJson.TryGet(live.RootElement, "data", out var data) || data.ValueKind != JsonValueKind.Array)
            throw new WorkbooksProtocolException("The metadata answer has no data array.");
        foreach (var type in data.EnumerateArray())
        {
            if (ResponseJson.GetString(type, "class_name") is not { } className)
                continue;
            var fields = types[className] = new Dictionary<string, string>(StringComparer.Ordinal);
            if (ResponseJson.TryGet(type, "fields", out var list) && list.ValueKind == JsonValueKind.Array)
            {
                foreach (var field in list.EnumerateArray())
                {
                    if (ResponseJson.GetString(field, "name") is { } name && !name.StartsWith("_can_", StringComparison.Ordinal))
                        fields[name] = ResponseJson.GetString(field, "datatype") ?? "";
                }
            }
        }

        var breaking = new List<string>();
        var compatible = new List<string>();
        foreach (var (className, fields) in expected)
        {
            if (!types.TryGetValue(className, out var liveFields))
            {
                breaking.Add($"{className}: the record type is gone");
                continue;
            }
            var known = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (name, datatype) in fields)
            {
                known.Add(name);
                if (!liveFields.TryGetValue(name, out var now))
                    breaking.Add($"{className}: the field '{name}' ({datatype}) is gone");
                else if (!string.Equals(now, datatype, StringComparison.Ordinal))
                    breaking.Add($"{className}: the field '{name}' changed datatype from {datatype} to {now}");
            }
            foreach (var (name, datatype) in liveFields.Where(f => !known.Contains(f.Key) && f.Value != "file_upload").OrderBy(f => f.Key, StringComparer.Ordinal))
                compatible.Add($"{className}: the field '{name}' ({datatype}) was added (regenerate for typed access; it is read and kept meanwhile)");
        }
        return new SchemaDriftReport(breaking, compatible);
    }
}

/// <summary>What <see cref="WorkbooksSession.CheckSchemaDriftAsync"/> found: how the live database differs from a snapshot.</summary>
public sealed class SchemaDriftReport
{
    internal SchemaDriftReport(IReadOnlyList<string> breaking, IReadOnlyList<string> compatible)
    {
        Breaking = breaking;
        Compatible = compatible;
    }

    /// <summary>Whether code built from the snapshot may fail against the live database (a type or field gone, a datatype changed).</summary>
    public bool HasBreakingDrift => Breaking.Count > 0;

    /// <summary>The breaking differences, e.g. "Private::Crm::Person: the field 'cf_person_score' changed datatype from integer to decimal".</summary>
    public IReadOnlyList<string> Breaking { get; }

    /// <summary>The differences old code survives, e.g. a field added.</summary>
    public IReadOnlyList<string> Compatible { get; }

    /// <summary>"No drift", or the differences, breaking first.</summary>
    public override string ToString() =>
        Breaking.Count + Compatible.Count == 0 ? "No drift from the snapshot."
        : string.Join(Environment.NewLine, Breaking.Select(b => "breaking: " + b).Concat(Compatible.Select(c => "compatible: " + c)));
}
