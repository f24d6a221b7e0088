using System.Globalization;
using System.Text.Json;
using Workbooks.Emulator.Query;

namespace Workbooks.Emulator.Changes;

/// <summary>
/// Stage 4 of a change request: the answer, field for field as the guide's examples give it (per-object errors and
/// information, the affected objects when anything was applied, the request's errors and stale failures, the flash).
/// </summary>
internal sealed class ChangeAnswer(ObjectOutcome[] outcomes, Dictionary<string, ChangedValue>?[]? applied, ChangeContext context)
{
    public void Write(Utf8JsonWriter w)
    {
        var n = outcomes.Length;
        var anyFailed = outcomes.Any(o => !o.IsValid);
        w.WriteStartObject();
        if (anyFailed)
        {
            w.WriteStartArray("affected_object_errors");
            foreach (var outcome in outcomes)
                WriteErrors(w, outcome.Errors, asArrays: true);
            w.WriteEndArray();
        }
        w.WriteStartArray("affected_object_information");
        foreach (var outcome in outcomes)
        {
            w.WriteStartObject();
            w.WritePropertyName("errors");
            WriteErrors(w, outcome.Errors, asArrays: false);
            w.WriteBoolean("success", outcome.IsValid && applied is not null);
            w.WriteStartObject("warnings");
            w.WriteEndObject();
            w.WriteEndObject();
        }
        w.WriteEndArray();
        if (applied is not null)
        {
            w.WriteStartArray("affected_objects");
            for (var i = 0; i < n; i++)
            {
                w.WriteStartObject();
                if (applied[i] is { } changed)
                {
                    foreach (var (name, value) in changed)
                    {
                        w.WritePropertyName(name);
                        ValueText.Write(w, value.Kind, value.Value, context.Formats, context.Now);
                    }
                }
                else
                {
                    w.WriteNumber("id", outcomes[i].Change.Id);
                    w.WriteNumber("lock_version", outcomes[i].Change.LockVersion);
                }
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        if (anyFailed)
        {
            w.WriteStartObject("errors");
            for (var i = 0; i < n; i++)
            {
                if (outcomes[i].IsValid) continue;
                w.WritePropertyName(n == 1 ? "[]" : string.Create(CultureInfo.InvariantCulture, $"[{i}]"));
                WriteErrors(w, outcomes[i].Errors, asArrays: false);
            }
            w.WriteEndObject();
            if (outcomes.Any(o => o.Stale || o.Refusal is not null))
            {
                w.WriteStartArray("failures");
                foreach (var outcome in outcomes.Where(o => o.Stale || o.Refusal is not null))
                    w.WriteStringValue(outcome.Refusal ?? ChangeValidator.StaleMessage);
                w.WriteEndArray();
            }
        }
        w.WriteString("flash", anyFailed ? (context.PerObjectTransactions && outcomes.Any(o => o.IsValid) ? "Some objects were not updated" : "Not updated") : "Updated successfully");
        w.WriteBoolean("success", !anyFailed);
        w.WriteStartObject("updates");
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void WriteErrors(Utf8JsonWriter w, Dictionary<string, List<string>> errors, bool asArrays)
    {
        w.WriteStartObject();
        foreach (var (field, messages) in errors)
        {
            if (asArrays)
            {
                w.WriteStartArray(field);
                foreach (var m in messages) w.WriteStringValue(m);
                w.WriteEndArray();
            }
            else
            {
                w.WriteString(field, string.Join("; ", messages));
            }
        }
        w.WriteEndObject();
    }
}
