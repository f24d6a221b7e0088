namespace Workbooks.Filters;

/// <summary>
/// The filter shape of an untyped query (<see cref="WorkbooksSession.Records"/>): any field by its wire name,
/// <c>Where(f =&gt; f["person_last_name"].StartsWith("G"))</c>, <c>OrderBy(f =&gt; f["main_location[town]"])</c>.
/// </summary>
public sealed class RecordFields
{
    private RecordFields() { }

    /// <summary>The one instance (the shape holds no state).</summary>
    public static RecordFields Root { get; } = new();

    /// <summary>A field by its wire name, e.g. <c>name</c> or <c>employer[name]</c>.</summary>
    public FilterField this[string name] => new(name);
}
