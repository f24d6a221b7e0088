using System.Globalization;
using System.Text.Json;
using Workbooks.Query;

namespace Workbooks.Mirror.Sql;

/// <summary>How far a load has got (a <see cref="ParallelReadPosition"/>), as the JSON text stored in the state table:
/// <c>[[after, before, done], …]</c>. Written by hand: trim- and AOT-clean.</summary>
internal static class LoadRanges
{
    public static string Write(ParallelReadPosition position) => JsonText.Write(writer =>
    {
        writer.WriteStartArray();
        foreach (var range in position.Ranges)
        {
            writer.WriteStartArray();
            writer.WriteNumberValue(range.After);
            if (range.Before is { } before)
                writer.WriteNumberValue(before);
            else
                writer.WriteNullValue();
            writer.WriteBooleanValue(range.Done);
            writer.WriteEndArray();
        }
        writer.WriteEndArray();
    });

    public static ParallelReadPosition Read(string? text)
    {
        if (text is null)
            return ParallelReadPosition.Start;
        try
        {
            using var document = JsonDocument.Parse(text);
            return new ParallelReadPosition(document.RootElement.EnumerateArray()
                .Select(r => new IdRange(r[0].GetInt64(), r[1].ValueKind == JsonValueKind.Null ? null : r[1].GetInt64(), r[2].GetBoolean()))
                .ToArray());
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or IndexOutOfRangeException)
        {
            throw new WorkbooksMirrorException(string.Create(CultureInfo.InvariantCulture, $"The stored load progress is not one the mirror wrote: {e.Message} ({text})"), e);
        }
    }
}
