using System.Text;
using System.Text.Json;

namespace Workbooks.Cli.Tests;

public sealed class NormaliserTests
{
    [Theory]
    [InlineData("sample.types.json")]
    [InlineData("sample-v2.types.json")]
    public void CommittedSnapshotsAreAlreadyNormalised(string name)
    {
        var path = Path.Combine(Repo.Root, "schema", name);
        var original = File.ReadAllBytes(path);
        var normalised = SchemaNormaliser.Normalise(original);
        Assert.True(original.AsSpan().SequenceEqual(normalised), FirstDifference(original, normalised));
    }

    [Fact]
    public void NormalisingAShuffledCompactSnapshotGivesTheCanonicalBytes()
    {
        var original = File.ReadAllBytes(Repo.Sample);
        using var document = JsonDocument.Parse(original);
        // Reverse every object's keys and every array of objects, and write compactly: the order and layout are gone.
        var shuffled = Reverse(document.RootElement);
        var normalised = SchemaNormaliser.Normalise(Encoding.UTF8.GetBytes(shuffled));
        Assert.Equal(original, normalised);
    }

    [Fact]
    public void OutputHasTwoSpaceIndentLfAndOneFinalNewline()
    {
        var bytes = SchemaNormaliser.Normalise("{\"updates\":{},\"total\":1,\"data\":[{\"z\":1,\"class_name\":\"B\",\"fields\":[{\"name\":\"b\"},{\"name\":\"a\"}]}],\"success\":true,\"flash\":\"\"}"u8.ToArray());
        var text = Encoding.UTF8.GetString(bytes);
        Assert.Equal("""
            {
              "data": [
                {
                  "class_name": "B",
                  "fields": [
                    {
                      "name": "a"
                    },
                    {
                      "name": "b"
                    }
                  ],
                  "z": 1
                }
              ],
              "flash": "",
              "success": true,
              "total": 1,
              "updates": {}
            }

            """.ReplaceLineEndings("\n"), text);
        Assert.DoesNotContain('\r', text);
        Assert.EndsWith("}\n", text);
        Assert.False(text.EndsWith("\n\n", StringComparison.Ordinal));
    }

    [Fact]
    public void NumbersKeepTheirWireText()
    {
        var text = Encoding.UTF8.GetString(SchemaNormaliser.Normalise("{\"data\":[{\"class_name\":\"A\",\"x\":1.50,\"y\":1e3}]}"u8.ToArray()));
        Assert.Contains("\"x\": 1.50", text);
        Assert.Contains("\"y\": 1e3", text);
    }

    private static string Reverse(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => "{" + string.Join(",", e.EnumerateObject().Reverse().Select(p => JsonSerializer.Serialize(p.Name) + ":" + Reverse(p.Value))) + "}",
        // Arrays of objects (types, fields, associations, actions) are reordered; arrays of scalars keep their meaning-bearing order.
        JsonValueKind.Array when e.EnumerateArray().All(x => x.ValueKind == JsonValueKind.Object) =>
            "[" + string.Join(",", e.EnumerateArray().Reverse().Select(Reverse)) + "]",
        JsonValueKind.Array => "[" + string.Join(",", e.EnumerateArray().Select(Reverse)) + "]",
        _ => e.GetRawText(),
    };

    private static string FirstDifference(byte[] a, byte[] b)
    {
        var i = 0;
        while (i < a.Length && i < b.Length && a[i] == b[i]) i++;
        var line = a.AsSpan(0, Math.Min(i, a.Length)).Count((byte)'\n') + 1;
        return $"first difference at byte {i} (line {line}); lengths {a.Length} and {b.Length}";
    }
}

public sealed class DiffTests
{
    [Fact]
    public async Task DiffOfSampleAndV2ReportsExactlyTheFourPlantedChangesAndExits2()
    {
        var run = await CliRun.RunAsync("schema", "diff", Repo.Sample, Repo.SampleV2);
        Assert.Equal(2, run.ExitCode);
        var lines = run.ChangeLines.ToList();
        Assert.Equal(4, lines.Count);
        Assert.Contains(lines, l => l.StartsWith("BREAKING", StringComparison.Ordinal) && l.Contains("field removed") && l.Contains("Private::Crm::Organisation cf_organisation_legacy_code"));
        Assert.Contains(lines, l => l.StartsWith("BREAKING", StringComparison.Ordinal) && l.Contains("field changed") && l.Contains("Private::Crm::Person cf_person_score: datatype \"integer\" -> \"decimal\""));
        Assert.Contains(lines, l => l.StartsWith("compatible", StringComparison.Ordinal) && l.Contains("field added") && l.Contains("Private::Crm::Person cf_person_loyalty_tier (picklist_data)"));
        Assert.Contains(lines, l => l.StartsWith("compatible", StringComparison.Ordinal) && l.Contains("type added") && l.Contains("Private::CustomRecord::Territory (custom_record/areas)"));
        Assert.Contains("4 changes: 2 breaking, 2 compatible.", run.Out);
        Assert.Equal("", run.Err);
    }

    [Fact]
    public void DiffModelClassifiesThePlantedChanges()
    {
        using var a = JsonDocument.Parse(File.ReadAllBytes(Repo.Sample));
        using var b = JsonDocument.Parse(File.ReadAllBytes(Repo.SampleV2));
        var result = SchemaDiff.Compare(a.RootElement, b.RootElement);
        Assert.Equal(
            [
                (SchemaChangeKind.FieldRemoved, "Private::Crm::Organisation", "cf_organisation_legacy_code", true),
                (SchemaChangeKind.FieldAdded, "Private::Crm::Person", "cf_person_loyalty_tier", false),
                (SchemaChangeKind.FieldChanged, "Private::Crm::Person", "cf_person_score", true),
                (SchemaChangeKind.TypeAdded, "Private::CustomRecord::Territory", null, false),
            ],
            result.Changes.Select(c => (c.Kind, c.ClassName, c.Member, c.IsBreaking)).ToArray());
        Assert.Equal("datatype", result.Changes[2].Property);
        Assert.Equal(2, result.ExitCode);
    }

    [Fact]
    public async Task DiffOfAFileWithItselfExits0()
    {
        var run = await CliRun.RunAsync("schema", "diff", Repo.Sample, Repo.Sample);
        Assert.Equal(0, run.ExitCode);
        Assert.Empty(run.ChangeLines);
        Assert.Contains("No changes.", run.Out);
    }

    [Fact]
    public async Task APurelyAdditiveChangeExits1()
    {
        using var temp = new TempDir();
        File.WriteAllText(temp.File("added.json"), Snapshots.WithAddedField(Repo.Sample));
        var run = await CliRun.RunAsync("schema", "diff", Repo.Sample, temp.File("added.json"));
        Assert.Equal(1, run.ExitCode);
        Assert.Equal(["compatible field added         Private::Crm::Person cf_person_nickname (string)"], run.ChangeLines);
    }

    [Fact]
    public async Task ReversedDiffFlagsTheRemovedTypeAndField()
    {
        var run = await CliRun.RunAsync("schema", "diff", Repo.SampleV2, Repo.Sample);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains(run.ChangeLines, l => l.StartsWith("BREAKING", StringComparison.Ordinal) && l.Contains("type removed") && l.Contains("Private::CustomRecord::Territory"));
        Assert.Contains(run.ChangeLines, l => l.StartsWith("BREAKING", StringComparison.Ordinal) && l.Contains("field removed") && l.Contains("cf_person_loyalty_tier"));
        Assert.Contains(run.ChangeLines, l => l.StartsWith("compatible", StringComparison.Ordinal) && l.Contains("field added") && l.Contains("cf_organisation_legacy_code"));
    }

    [Theory]
    [InlineData("is_filterable", true)]
    [InlineData("is_updateable", true)]
    [InlineData("is_createable", true)]
    [InlineData("title", false)]
    public void LosingACapabilityIsBreaking(string property, bool breaking)
    {
        var old = """{"data":[{"class_name":"A","controller_path":"a","fields":[{"name":"f","datatype":"string","is_filterable":true,"is_updateable":true,"is_createable":true,"title":"F"}]}]}""";
        var changed = old.Replace($"\"{property}\":{(property == "title" ? "\"F\"" : "true")}", $"\"{property}\":{(property == "title" ? "\"G\"" : "false")}", StringComparison.Ordinal);
        Assert.NotEqual(old, changed);
        using var a = JsonDocument.Parse(old);
        using var b = JsonDocument.Parse(changed);
        var change = Assert.Single(SchemaDiff.Compare(a.RootElement, b.RootElement).Changes);
        Assert.Equal(breaking, change.IsBreaking);
        Assert.Equal(property, change.Property);

        // Gaining the capability back is compatible.
        var back = Assert.Single(SchemaDiff.Compare(b.RootElement, a.RootElement).Changes);
        Assert.False(back.IsBreaking);
    }

    [Fact]
    public void ControllerPathChangeIsBreaking()
    {
        using var a = JsonDocument.Parse("""{"data":[{"class_name":"A","controller_path":"a","fields":[]}]}""");
        using var b = JsonDocument.Parse("""{"data":[{"class_name":"A","controller_path":"b","fields":[]}]}""");
        var change = Assert.Single(SchemaDiff.Compare(a.RootElement, b.RootElement).Changes);
        Assert.Equal(SchemaChangeKind.TypeChanged, change.Kind);
        Assert.True(change.IsBreaking);
        Assert.StartsWith("BREAKING", change.ToString(), StringComparison.Ordinal);
        Assert.Contains("type changed", change.ToString());
        Assert.Contains("A: controller_path \"a\" -> \"b\"", change.ToString());
    }

    [Fact]
    public async Task JsonOutputListsTheChanges()
    {
        var run = await CliRun.RunAsync("schema", "diff", "--json", Repo.Sample, Repo.SampleV2);
        Assert.Equal(2, run.ExitCode);
        using var json = JsonDocument.Parse(run.Out);
        Assert.Equal(2, json.RootElement.GetProperty("breaking").GetInt32());
        Assert.Equal(2, json.RootElement.GetProperty("compatible").GetInt32());
        Assert.Equal(2, json.RootElement.GetProperty("exit_code").GetInt32());
        var changes = json.RootElement.GetProperty("changes").EnumerateArray().ToList();
        Assert.Equal(4, changes.Count);
        var datatype = changes.Single(c => c.GetProperty("kind").GetString() == "field_changed");
        Assert.Equal("integer", datatype.GetProperty("old").GetString());
        Assert.Equal("decimal", datatype.GetProperty("new").GetString());
    }

    [Fact]
    public async Task NormaliseCommandRewritesAFileCanonicallyAndCheckReportsIt()
    {
        using var temp = new TempDir();
        var path = temp.File("added.json");
        File.WriteAllText(path, Snapshots.WithAddedField(Repo.Sample));
        Assert.Equal(1, (await CliRun.RunAsync("schema", "normalise", path, "--check")).ExitCode);
        var run = await CliRun.RunAsync("schema", "normalise", path);
        Assert.Equal(0, run.ExitCode);
        Assert.Equal(0, (await CliRun.RunAsync("schema", "normalise", "--check", path)).ExitCode);
        Assert.Contains("\n        {\n          \"datatype\": \"string\",", File.ReadAllText(path));

        var copy = temp.File("copy.json");
        Assert.Equal(0, (await CliRun.RunAsync("schema", "normalise", Repo.Sample, "-o", copy)).ExitCode);
        Assert.Equal(File.ReadAllBytes(Repo.Sample), File.ReadAllBytes(copy));
    }
}
