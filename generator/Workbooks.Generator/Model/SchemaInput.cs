using Workbooks.Generator.Helpers;

namespace Workbooks.Generator.Model;

/// <summary>The per-file options of a <c>WorkbooksSchema</c> item, defaults applied.</summary>
internal sealed record SchemaOptions(
    string Namespace,
    string ClientName,
    EquatableArray<string> IncludeTypes,
    EquatableArray<string> ExcludeTypes);

/// <summary>One opted-in schema file: its path, text and options (compared by value, text included).</summary>
internal sealed record SchemaInput(string FilePath, string Text, SchemaOptions Options);
