using System.Globalization;
using System.Text.Json;
using Workbooks.Query;

namespace Workbooks.Mirror.Sql;

/// <summary>A <see cref="DeltaPosition"/> as the JSON text stored in the state table (written by hand: trim- and AOT-clean).</summary>
internal static class DeltaPositions
{
    public static string Write(DeltaPosition position) => JsonText.Write(writer =>
    {
        writer.WriteStartObject();
        if (position.UpdatedAt is { } at)
            writer.WriteString("updated_at", at.ToString("O", CultureInfo.InvariantCulture));
        else
            writer.WriteNull("updated_at");
        writer.WriteStartArray("seen");
        foreach (var version in position.Seen.OrderBy(v => v.Id))
        {
            writer.WriteStartArray();
            writer.WriteNumberValue(version.Id);
            writer.WriteNumberValue(version.LockVersion);
            writer.WriteStringValue(version.UpdatedAt.ToString("O", CultureInfo.InvariantCulture));
            writer.WriteEndArray();
        }
        writer.WriteEndArray();
        writer.WriteEndObject();
    });

    public static DeltaPosition Read(string? text)
    {
        if (text is null)
            return DeltaPosition.Start;
        try
        {
            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            DateTimeOffset? at = root.GetProperty("updated_at").ValueKind == JsonValueKind.String
                ? DateTimeOffset.Parse(root.GetProperty("updated_at").GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind)
                : null;
            var seen = root.GetProperty("seen").EnumerateArray()
                .Select(v => new DeltaVersion(v[0].GetInt64(), v[1].GetInt32(), DateTimeOffset.Parse(v[2].GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind)))
                .ToArray();
            return new DeltaPosition(at, seen);
        }
        catch (Exception e) when (e is JsonException or FormatException or KeyNotFoundException or InvalidOperationException or IndexOutOfRangeException)
        {
            throw new WorkbooksMirrorException($"The stored sync position is not one the mirror wrote: {e.Message} ({text})", e);
        }
    }
}
