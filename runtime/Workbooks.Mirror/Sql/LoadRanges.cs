using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Workbooks.Mirror.Sql;

/// <summary>One id range of a load: ids greater than <paramref name="After"/> and less than <paramref name="Before"/>
/// (null: open, for ids created during the load); <paramref name="After"/> moves on as rows are committed.</summary>
internal sealed record LoadRange(long After, long? Before, bool Done);

/// <summary>A load's ranges, and their JSON form in the state table (<c>[[after, before, done], …]</c>).</summary>
internal static class LoadRanges
{
    /// <summary>Up to <paramref name="partitions"/> ranges of equal width over the ids from <paramref name="first"/> to
    /// <paramref name="last"/>; the last is open.</summary>
    public static List<LoadRange> Split(long? first, long? last, int partitions)
    {
        if (first is not { } low || last is not { } high || high < low)
            return [new LoadRange(0, null, false)];
        var count = (int)Math.Min(partitions, high - low + 1);
        var width = (high - low + count) / count;
        var ranges = new List<LoadRange>(count);
        for (var i = 0; i < count; i++)
            ranges.Add(new LoadRange(low - 1 + i * width, i == count - 1 ? null : low + (i + 1) * width, false));
        return ranges;
    }

    public static string Write(IReadOnlyList<LoadRange> ranges)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var range in ranges)
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
        }
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    public static List<LoadRange>? Read(string? text)
    {
        if (text is null)
            return null;
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.EnumerateArray()
                .Select(r => new LoadRange(r[0].GetInt64(), r[1].ValueKind == JsonValueKind.Null ? null : r[1].GetInt64(), r[2].GetBoolean()))
                .ToList();
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or IndexOutOfRangeException)
        {
            throw new WorkbooksMirrorException(string.Create(CultureInfo.InvariantCulture, $"The stored load progress is not one the mirror wrote: {e.Message} ({text})"), e);
        }
    }
}
