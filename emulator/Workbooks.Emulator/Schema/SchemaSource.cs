namespace Workbooks.Emulator.Schema;

/// <summary>Where the schema snapshot the emulator serves comes from: the options' JSON, a file, or the repository's sample.</summary>
internal static class SchemaSource
{
    /// <summary>The schema text of the options: <see cref="WorkbooksEmulatorOptions.SchemaJson"/>, the file at <see cref="WorkbooksEmulatorOptions.SchemaPath"/>, or the sample schema.</summary>
    public static string Load(WorkbooksEmulatorOptions options)
    {
        if (options.SchemaJson is { } json)
            return json;
        var path = options.SchemaPath is { } given ? Locate(given) : FindSampleSchema()
            ?? throw new FileNotFoundException("No schema given: set SchemaPath or SchemaJson (schema/sample.types.json was not found above the working directory).");
        return File.ReadAllText(path);
    }

    /// <summary>A relative schema path is looked up from the working directory and then from each of its parents.</summary>
    public static string Locate(string path)
    {
        if (Path.IsPathRooted(path) || File.Exists(path))
            return path;
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()).Parent; dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, path);
            if (File.Exists(candidate))
                return candidate;
        }
        throw new FileNotFoundException($"The schema snapshot '{path}' was not found (looked in {Directory.GetCurrentDirectory()} and its parents).", path);
    }

    /// <summary>schema/sample.types.json in the repository, found from the working directory or the assembly location.</summary>
    public static string? FindSampleSchema()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "schema", "sample.types.json");
                if (File.Exists(candidate))
                    return candidate;
            }
        }
        return null;
    }
}
