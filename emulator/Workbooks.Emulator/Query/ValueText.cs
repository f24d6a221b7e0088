using System.Globalization;
using System.Text.Json;
using Workbooks.Emulator.Schema;

namespace Workbooks.Emulator.Query;

/// <summary>Renders stored values the way the service does, as JSON or as text (CSV, tests).</summary>
internal static class ValueText
{
    public static string? Render(FieldDef field, object? value, OutputFormats formats, DateTime now) => Render(field.Kind, value, formats, now);

    public static string? Render(ValueKind kind, object? value, OutputFormats formats, DateTime now) => value switch
    {
        null => null,
        string s => s,
        bool b => b ? "true" : "false",
        long l when kind == ValueKind.Duration => WireValues.FormatDuration(l),
        long l when kind == ValueKind.Interval => WireValues.FormatDuration(l),
        long l => l.ToString(CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        decimal m => m.ToString(CultureInfo.InvariantCulture),
        DateOnly date => WireValues.FormatDate(date, formats.DateFormat),
        DateTime dt when kind == ValueKind.Relative => WireValues.FormatRelative(dt, now),
        DateTime dt => WireValues.FormatDateTime(dt, formats.DateTimeFormat),
        TimeOnly t => WireValues.FormatTime(t, formats.TimeFormat),
        CurrencyValue c => c.ToString(),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture),
    };

    /// <summary>Writes a value as the service renders it in JSON: numbers and booleans as JSON, the rest as strings.</summary>
    public static void Write(Utf8JsonWriter writer, ValueKind kind, object? value, OutputFormats formats, DateTime now)
    {
        switch (value)
        {
            case null: writer.WriteNullValue(); break;
            case bool b: writer.WriteBooleanValue(b); break;
            case long l when kind is ValueKind.Integer: writer.WriteNumberValue(l); break;
            case double d when double.IsFinite(d): writer.WriteNumberValue(d); break;
            // decimal renders as a decimal string (the guide: "represented as a decimal string").
            case DateTime dt when kind == ValueKind.DateTime && formats.DateTimeFormat == "%s":
                writer.WriteNumberValue(new DateTimeOffset(dt).ToUnixTimeSeconds());
                break;
            default: writer.WriteStringValue(Render(kind, value, formats, now)); break;
        }
    }
}
