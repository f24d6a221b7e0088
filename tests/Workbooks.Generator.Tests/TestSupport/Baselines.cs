using System.Text;

namespace Workbooks.Generator.Tests.TestSupport;

/// <summary>
/// Golden files without Verify: <c>Baselines/{Test}/{HintName}.txt</c>. The set of files is asserted first, then
/// each text (LF-normalised). <c>WORKBOOKS_UPDATE_BASELINES=1</c> rewrites them and deletes stale ones.
/// </summary>
internal static class Baselines
{
    public static bool Updating => Environment.GetEnvironmentVariable("WORKBOOKS_UPDATE_BASELINES") == "1";

    public static void Assert(string testName, IReadOnlyDictionary<string, string> generated)
    {
        var directory = Path.Combine(GeneratorHarness.ProjectDirectory(), "Baselines", testName);
        var actual = generated.ToDictionary(p => p.Key + ".txt", p => Normalise(p.Value), StringComparer.Ordinal);
        if (Updating)
        {
            Directory.CreateDirectory(directory);
            foreach (var stale in Directory.GetFiles(directory).Where(f => !actual.ContainsKey(Path.GetFileName(f))))
                File.Delete(stale);
            foreach (var (name, text) in actual)
                File.WriteAllText(Path.Combine(directory, name), text, new UTF8Encoding(false));
            return;
        }

        var expectedNames = Directory.Exists(directory)
            ? Directory.GetFiles(directory).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToList()
            : [];
        Xunit.Assert.Equal(expectedNames, actual.Keys.Order(StringComparer.Ordinal).ToList());
        foreach (var name in expectedNames)
        {
            var expected = Normalise(File.ReadAllText(Path.Combine(directory, name)));
            if (expected != actual[name])
                Xunit.Assert.Fail($"{testName}/{name} differs from its baseline (set WORKBOOKS_UPDATE_BASELINES=1 to accept):\n{FirstDifference(expected, actual[name])}");
        }
    }

    private static string Normalise(string text) => text.Replace("\r\n", "\n");

    private static string FirstDifference(string expected, string actual)
    {
        var e = expected.Split('\n');
        var a = actual.Split('\n');
        var line = 0;
        while (line < e.Length && line < a.Length && e[line] == a[line])
            line++;
        var builder = new StringBuilder();
        builder.AppendLine($"first difference at line {line + 1}");
        for (var i = Math.Max(0, line - 3); i < line; i++)
            builder.AppendLine($"  {i + 1,5}   {e[i]}");
        builder.AppendLine($"- {line + 1,5}   {(line < e.Length ? e[line] : "<end of file>")}");
        builder.AppendLine($"+ {line + 1,5}   {(line < a.Length ? a[line] : "<end of file>")}");
        return builder.ToString();
    }
}
