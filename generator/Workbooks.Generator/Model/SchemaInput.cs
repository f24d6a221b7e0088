using Workbooks.Generator.Helpers;

namespace Workbooks.Generator.Model;

/// <summary>The per-file options of a <c>WorkbooksSchema</c> item, defaults applied.</summary>
internal sealed record SchemaOptions(
    string Namespace,
    string ClientName,
    EquatableArray<string> IncludeTypes,
    EquatableArray<string> ExcludeTypes);

/// <summary>One opted-in schema file: its path, text and options (compared by value, text included).</summary>
/// <param name="FilePath">The file's path.</param>
/// <param name="Text">Its text; empty when it could not be read.</param>
/// <param name="Options">The item's options.</param>
/// <param name="Readable">False when the file could not be read (a misspelt Include, a missing file).</param>
internal sealed record SchemaInput(string FilePath, string Text, SchemaOptions Options, bool Readable = true);
