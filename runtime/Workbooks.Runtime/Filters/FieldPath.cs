namespace Workbooks.Filters;

/// <summary>
/// The wire name of a field, possibly reached through associations: <c>name</c>, <c>employer[name]</c>,
/// <c>primary_contact[main_location[email]]</c>.
/// </summary>
public readonly struct FieldPath : IEquatable<FieldPath>
{
    private readonly string[]? _associations;

    private FieldPath(string[] associations) => _associations = associations;

    /// <summary>The record's own fields.</summary>
    public static FieldPath Root => default;

    /// <summary>The fields of the record an association leads to.</summary>
    public FieldPath Into(string association)
    {
        ArgumentException.ThrowIfNullOrEmpty(association);
        return new FieldPath([.. _associations ?? [], association]);
    }

    /// <summary>The wire name of a field at this path.</summary>
    public string Name(string field)
    {
        ArgumentException.ThrowIfNullOrEmpty(field);
        if (_associations is not { Length: > 0 } path)
            return field;
        return string.Join('[', path) + "[" + field + new string(']', path.Length);
    }

    /// <inheritdoc />
    public bool Equals(FieldPath other) => (_associations ?? []).SequenceEqual(other._associations ?? []);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is FieldPath other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => string.Join('.', _associations ?? []).GetHashCode(StringComparison.Ordinal);

    /// <summary>Equality.</summary>
    public static bool operator ==(FieldPath left, FieldPath right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    public static bool operator !=(FieldPath left, FieldPath right) => !left.Equals(right);

    /// <inheritdoc />
    public override string ToString() => Name("…");
}
