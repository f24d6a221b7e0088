namespace Workbooks.Tests.Shared;

/// <summary>
/// Files of this repository, found from where the tests run (the build output under the clone), never from
/// <c>[CallerFilePath]</c>: a deterministic CI build (<c>CI=true</c>) maps source paths to <c>/_/</c>.
/// </summary>
internal static class RepositoryPaths
{
    private static readonly Lazy<string> RootPath = new(FindRoot);

    /// <summary>The clone's root directory: the one holding <c>Workbooks.Generated.sln</c>.</summary>
    public static string Root => RootPath.Value;

    /// <summary>A path under the clone's root, from its parts.</summary>
    public static string Combine(params string[] parts) => Path.Combine([Root, .. parts]);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Workbooks.Generated.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException("Workbooks.Generated.sln not found above " + AppContext.BaseDirectory);
    }
}
