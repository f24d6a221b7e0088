
namespace Workbooks.Runtime.Tests.Wire;

public class ChangeSetEncoderTests
{
    private static KeyValuePair<string, string> P(string k, string v) => new(k, v);
    private static KeyValuePair<string, WireText?> F(string k, string v) => new(k, WireText.Of(v));

    /// <summary>The guide's "Example: Multiple operations": delete 1, update 2, create.</summary>
    private static ChangeOperation[] GuideExample() =>
    [
        ChangeOperation.Delete(1, 2),
        ChangeOperation.Update(2, 1, [F("activity_priority", "High"), F("activity_status", "New"), F("activity_type", "Email"), F("name", "10197")]),
        ChangeOperation.Create([F("activity_priority", "High"), F("activity_status", "New"), F("activity_type", "Email"), F("due_date", "22 May 2009"), F("name", "create_10197")]),
    ];

    [Fact]
    public void TheGuidesMultipleOperationsExampleEncodesByteForByte()
    {
        var body = FormEncoder.EncodeToString(ChangeSetEncoder.Encode(GuideExample()));
        const string Expected =
            "_fm=or&_ff[]=id&_ft[]=eq&_fc[]=1&_ff[]=id&_ft[]=eq&_fc[]=2&_ff[]=id&_ft[]=eq&_fc[]=0"
            + "&__method[]=DELETE&id[]=1&lock_version[]=2&activity_priority[]=%3Ano_value%3A&activity_status[]=%3Ano_value%3A"
            + "&activity_type[]=%3Ano_value%3A&due_date[]=%3Ano_value%3A&name[]=%3Ano_value%3A"
            + "&__method[]=PUT&id[]=2&lock_version[]=1&activity_priority[]=High&activity_status[]=New&activity_type[]=Email"
            + "&due_date[]=%3Ano_value%3A&name[]=10197"
            + "&__method[]=POST&id[]=0&lock_version[]=0&activity_priority[]=High&activity_status[]=New&activity_type[]=Email"
            + "&due_date[]=22+May+2009&name[]=create_10197";
        Assert.Equal(Expected, body);
    }

    [Fact]
    public void TheGuidesExampleObjectsCarryExactlyTheGuidesPairs()
    {
        // The guide's own curl lines, per object (it blanks the delete's fields; the encoder sends :no_value: instead,
        // and lists id/lock_version first in every object where the guide's order varies between objects).
        KeyValuePair<string, string>[][] guide =
        [
            [P("__method[]", "DELETE"), P("activity_priority[]", ""), P("activity_status[]", ""), P("activity_type[]", ""), P("due_date[]", ""), P("id[]", "1"), P("lock_version[]", "2"), P("name[]", "")],
            [P("__method[]", "PUT"), P("activity_priority[]", "High"), P("activity_status[]", "New"), P("activity_type[]", "Email"), P("due_date[]", ":no_value:"), P("id[]", "2"), P("lock_version[]", "1"), P("name[]", "10197")],
            [P("__method[]", "POST"), P("id[]", "0"), P("lock_version[]", "0"), P("activity_priority[]", "High"), P("activity_status[]", "New"), P("activity_type[]", "Email"), P("due_date[]", "22 May 2009"), P("name[]", "create_10197")],
        ];
        var pairs = ChangeSetEncoder.Encode(GuideExample());
        Assert.Equal([P("_fm", "or"), P("_ff[]", "id"), P("_ft[]", "eq"), P("_fc[]", "1"), P("_ff[]", "id"), P("_ft[]", "eq"), P("_fc[]", "2")], pairs.Take(7));
        var objects = pairs.Skip(10).Chunk(8).ToArray();
        Assert.Equal(3, objects.Length);
        for (var i = 0; i < 3; i++)
        {
            var expected = guide[i].Select(p => i == 0 && p.Value.Length == 0 ? P(p.Key, ":no_value:") : p).OrderBy(p => p.Key, StringComparer.Ordinal);
            Assert.Equal(expected, objects[i].OrderBy(p => p.Key, StringComparer.Ordinal));
        }
    }

    [Fact]
    public void ASingleObjectGetsASingleIdTripleWithoutFm()
    {
        var pairs = ChangeSetEncoder.Encode([ChangeOperation.Update(1, 5, [F("name", "James Kay")])]);
        Assert.Equal(
            [P("_ff[]", "id"), P("_ft[]", "eq"), P("_fc[]", "1"), P("__method[]", "PUT"), P("id[]", "1"), P("lock_version[]", "5"), P("name[]", "James Kay")],
            pairs);
        Assert.Equal("_ff[]=id&_ft[]=eq&_fc[]=1&__method[]=PUT&id[]=1&lock_version[]=5&name[]=James+Kay", FormEncoder.EncodeToString(pairs));
    }

    [Fact]
    public void SeveralCreatesCollapseToOneId0Triple()
    {
        var pairs = ChangeSetEncoder.Encode([ChangeOperation.Create([F("name", "a")]), ChangeOperation.Create([F("name", "b")]), ChangeOperation.Create([F("size", "1")])]);
        Assert.Equal([P("_ff[]", "id"), P("_ft[]", "eq"), P("_fc[]", "0")], pairs.Take(3));
        Assert.Equal("__method[]", pairs[3].Key);
        Assert.Equal(
            [P("__method[]", "POST"), P("id[]", "0"), P("lock_version[]", "0"), P("name[]", "a"), P("size[]", ":no_value:"),
             P("__method[]", "POST"), P("id[]", "0"), P("lock_version[]", "0"), P("name[]", "b"), P("size[]", ":no_value:"),
             P("__method[]", "POST"), P("id[]", "0"), P("lock_version[]", "0"), P("name[]", ":no_value:"), P("size[]", "1")],
            pairs.Skip(3));
    }

    [Fact]
    public void DuplicateIdsAreCollapsedInFirstSeenOrder()
    {
        var pairs = ChangeSetEncoder.Encode([ChangeOperation.Update(12, 0, []), ChangeOperation.Create([]), ChangeOperation.Update(11, 3, []), ChangeOperation.Delete(12, 1)]);
        Assert.Equal(["12", "0", "11"], pairs.Where(p => p.Key == "_fc[]").Select(p => p.Value));
        Assert.Equal(P("_fm", "or"), pairs[0]);
    }

    [Fact]
    public void NullIsSentAsNullValueAndAnExplicitNoValueAsNoValue()
    {
        var pairs = ChangeSetEncoder.Encode([ChangeOperation.Update(11, 3, [new("main_location[postcode]", WireText.Null), F("name", "Lights 'R Us"), new("notes", null)])]);
        Assert.Contains(P("main_location[postcode][]", ":null_value:"), pairs);
        Assert.Contains(P("notes[]", ":no_value:"), pairs);
        Assert.Equal(
            "_ff[]=id&_ft[]=eq&_fc[]=11&__method[]=PUT&id[]=11&lock_version[]=3&main_location[postcode][]=%3Anull_value%3A&name[]=Lights+%27R+Us&notes[]=%3Ano_value%3A",
            FormEncoder.EncodeToString(pairs));
    }

    [Theory]
    [InlineData("name", "name")]
    [InlineData("main_location[town]", "main_location[town]")]
    [InlineData("org_lead_party[main_location[email]]", "org_lead_party[main_location][email]")]
    [InlineData("a[b[c[d]]]", "a[b][c][d]")]
    [InlineData("a[b][c]", "a[b][c]")]
    public void NestedKeysAreNormalised(string name, string expected) =>
        Assert.Equal(expected, ChangeSetEncoder.NormaliseKey(name));

    [Theory]
    [InlineData("[a]")]
    [InlineData("a[")]
    [InlineData("a]")]
    [InlineData("a[]")]
    [InlineData("a[b]c")]
    [InlineData("a[[b]]")]
    public void MalformedKeysAreRejected(string name) =>
        Assert.Throws<ArgumentException>(() => ChangeSetEncoder.NormaliseKey(name));

    [Fact]
    public void NestedKeysGetTheArraySuffixAfterNormalising()
    {
        var pairs = ChangeSetEncoder.Encode([ChangeOperation.Update(1, 1, [F("org_lead_party[main_location[email]]", "a@b.c")])]);
        Assert.Contains(P("org_lead_party[main_location][email][]", "a@b.c"), pairs);
    }

    [Fact]
    public void KeysAreTheOrdinalUnionOfAllObjectsAndDeletesSendNoValueForEveryField()
    {
        var pairs = ChangeSetEncoder.Encode([ChangeOperation.Update(1, 1, [F("b", "1"), F("B", "2")]), ChangeOperation.Delete(2, 4), ChangeOperation.Update(3, 1, [F("_a", "3")])]);
        var fieldKeys = pairs.SkipWhile(p => p.Key != "__method[]").Select(p => p.Key).Where(k => k is not ("__method[]" or "id[]" or "lock_version[]")).Distinct();
        Assert.Equal(["B[]", "_a[]", "b[]"], fieldKeys);
        var delete = pairs.SkipWhile(p => p.Value != "DELETE").Take(6).ToArray();
        Assert.Equal([P("__method[]", "DELETE"), P("id[]", "2"), P("lock_version[]", "4"), P("B[]", ":no_value:"), P("_a[]", ":no_value:"), P("b[]", ":no_value:")], delete);
    }

    [Fact]
    public void RecordsPendingChangesBecomeAnOperation()
    {
        var record = new WorkbooksRecord { Id = 7, LockVersion = 2 };
        record.Set("name", "X");
        record.Set("due_date", new DateOnly(2010, 5, 2));
        var pairs = ChangeSetEncoder.Encode([ChangeOperation.FromRecord(record, ChangeKind.Update)]);
        Assert.Equal(
            [P("_ff[]", "id"), P("_ft[]", "eq"), P("_fc[]", "7"), P("__method[]", "PUT"), P("id[]", "7"), P("lock_version[]", "2"), P("due_date[]", " 2 May 2010"), P("name[]", "X")],
            pairs);
    }

    [Fact]
    public void InvalidBatchesAreRejected()
    {
        Assert.Throws<ArgumentException>(() => ChangeSetEncoder.Encode([]));
        Assert.Throws<ArgumentException>(() => ChangeSetEncoder.Encode(Enumerable.Range(1, 101).Select(i => ChangeOperation.Delete(i, 1)).ToArray()));
        Assert.Equal(101, ChangeSetEncoder.Encode(Enumerable.Range(1, 101).Select(i => ChangeOperation.Delete(i, 1)).ToArray(), maxObjects: 200).Count(p => p.Key == "__method[]"));
        Assert.Throws<ArgumentException>(() => ChangeSetEncoder.Encode([ChangeOperation.Update(0, 1, [])]));
        Assert.Throws<ArgumentException>(() => ChangeSetEncoder.Encode([ChangeOperation.Delete(-3, 1)]));
        Assert.Throws<ArgumentException>(() => ChangeSetEncoder.Encode([ChangeOperation.FromRecord(new WorkbooksRecord { Id = 5 }, ChangeKind.Create)]));
        Assert.Throws<ArgumentException>(() => ChangeSetEncoder.Encode([ChangeOperation.Update(1, 1, [F("id", "2")])]));
        Assert.Throws<ArgumentException>(() => ChangeSetEncoder.Encode([ChangeOperation.Update(1, 1, [F("a[b[c]]", "1"), F("a[b][c]", "2")])]));
    }

    [Fact]
    public void ExactlyOneHundredObjectsAreAllowedByDefault()
    {
        var ops = Enumerable.Range(1, 100).Select(i => ChangeOperation.Delete(i, 1)).ToArray();
        Assert.Equal(100, ChangeSetEncoder.Encode(ops).Count(p => p.Key == "__method[]"));
    }
    /// <summary>The encoder as it was before its fast paths (a dictionary and a sorted set per batch): the reference.</summary>
    private static List<KeyValuePair<string, string>> Reference(IReadOnlyList<ChangeOperation> operations)
    {
        var perObject = operations.Select(op => op.Fields.ToDictionary(f => ChangeSetEncoder.NormaliseKey(f.Key), f => f.Value, StringComparer.Ordinal)).ToArray();
        var union = new SortedSet<string>(perObject.SelectMany(m => m.Keys), StringComparer.Ordinal);
        var result = new List<KeyValuePair<string, string>>();
        ChangeSetEncoder.AppendIdFilter(result, operations);
        for (var i = 0; i < operations.Count; i++)
        {
            var op = operations[i];
            result.Add(P("__method[]", op.Kind switch { ChangeKind.Create => "POST", ChangeKind.Update => "PUT", _ => "DELETE" }));
            result.Add(P("id[]", op.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            result.Add(P("lock_version[]", op.LockVersion.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            foreach (var key in union)
                result.Add(P(key + "[]", perObject[i].TryGetValue(key, out var value) && value is { } v ? v.Text ?? ":null_value:" : ":no_value:"));
        }
        return result;
    }

    [Fact]
    public void RandomBatchesEncodeAsTheReferenceDoes()
    {
        var random = new Random(11);
        string[] names = ["name", "b", "B", "_a", "main_location[town]", "main_location[email]", "org_lead_party[main_location[email]]", "z[y][x]", "a1", "a", "aa"];
        for (var round = 0; round < 200; round++)
        {
            var ops = new List<ChangeOperation>();
            var count = random.Next(1, 30);
            for (var i = 0; i < count; i++)
            {
                // Fresh string instances half of the time, so both the same-instance shortcut and the dictionary are used.
                var fields = names.Where(_ => random.Next(3) > 0).OrderBy(_ => random.Next())
                    .Select(n => new KeyValuePair<string, WireText?>(random.Next(2) == 0 ? n : new string(n.AsSpan()),
                        random.Next(6) switch { 0 => null, 1 => WireText.Null, _ => WireText.Of("v" + random.Next(100)) }))
                    .ToList();
                var id = random.Next(1, 8);
                ops.Add(random.Next(5) switch
                {
                    0 => ChangeOperation.Create(fields),
                    1 => ChangeOperation.Delete(id, random.Next(4)),
                    _ => ChangeOperation.Update(id, random.Next(4), fields),
                });
            }
            Assert.Equal(Reference(ops), ChangeSetEncoder.Encode(ops));
        }
    }

    [Fact]
    public void ObjectsNamingTheirFieldsInDifferentOrdersShareTheOrdinalColumns()
    {
        var pairs = ChangeSetEncoder.Encode([
            ChangeOperation.Update(1, 1, [F("b", "1"), F("a", "2"), F("c[d]", "3")]),
            ChangeOperation.Update(2, 1, [F("c[d]", "4"), F("b", "5")]),
            ChangeOperation.Update(3, 1, [F("a", "6")]),
        ]);
        Assert.Equal(
            [P("__method[]", "PUT"), P("id[]", "1"), P("lock_version[]", "1"), P("a[]", "2"), P("b[]", "1"), P("c[d][]", "3"),
             P("__method[]", "PUT"), P("id[]", "2"), P("lock_version[]", "1"), P("a[]", ":no_value:"), P("b[]", "5"), P("c[d][]", "4"),
             P("__method[]", "PUT"), P("id[]", "3"), P("lock_version[]", "1"), P("a[]", "6"), P("b[]", ":no_value:"), P("c[d][]", ":no_value:")],
            pairs.Skip(10));
    }

    [Fact]
    public void TwoSpellingsOfANestedKeyInDifferentObjectsAreOneColumn()
    {
        var pairs = ChangeSetEncoder.Encode([
            ChangeOperation.Update(1, 1, [F("party[location[email]]", "x")]),
            ChangeOperation.Update(2, 1, [F("party[location][email]", "y")]),
        ]);
        Assert.Equal(["x", "y"], pairs.Where(p => p.Key == "party[location][email][]").Select(p => p.Value));
        Assert.Equal(2, pairs.Count(p => p.Key.StartsWith("party", StringComparison.Ordinal)));
    }

    [Fact]
    public void ANameGivenTwiceByTheSameInstanceOrACopyIsRejected()
    {
        var name = "name";
        Assert.Throws<ArgumentException>(() => ChangeSetEncoder.Encode([ChangeOperation.Update(1, 1, [F(name, "a"), F(name, "b")])]));
        Assert.Throws<ArgumentException>(() => ChangeSetEncoder.Encode([ChangeOperation.Update(1, 1, [F(name, "a"), F(new string(name.AsSpan()), "b")])]));
        // Allowed in two different objects, including at the position the shortcut remembers.
        Assert.Equal(2, ChangeSetEncoder.Encode([ChangeOperation.Update(1, 1, [F(name, "a")]), ChangeOperation.Update(2, 1, [F(name, "b")])]).Count(p => p.Key == "name[]"));
    }

    [Fact]
    public void NullEmptyAndReservedNamesAreRejectedInAnyObject()
    {
        var ok = ChangeOperation.Update(1, 1, [F("name", "a")]);
        Assert.ThrowsAny<ArgumentException>(() => ChangeSetEncoder.Encode([ok, ChangeOperation.Update(2, 1, [new(null!, WireText.Of("x"))])]));
        Assert.ThrowsAny<ArgumentException>(() => ChangeSetEncoder.Encode([ok, ChangeOperation.Update(2, 1, [F("", "x")])]));
        Assert.Throws<ArgumentException>(() => ChangeSetEncoder.Encode([ok, ChangeOperation.Update(2, 1, [F("lock_version", "x")])]));
        Assert.Throws<ArgumentException>(() => ChangeSetEncoder.Encode([ok, ChangeOperation.Update(2, 1, [F("method", "x")])]));
        Assert.Throws<ArgumentException>(() => ChangeSetEncoder.Encode([ok, ChangeOperation.Update(2, 1, [F("a[b]c", "x")])]));
    }

    [Theory]
    [InlineData("name")]
    [InlineData("main_location[town]")]
    [InlineData("a[b][c]")]
    public void NamesThatAreAlreadyFlatAreReturnedAsTheyAre(string name) =>
        Assert.Same(name, ChangeSetEncoder.NormaliseKey(name));

    [Theory]
    [InlineData("a]b[c]")]
    [InlineData("a[b]]")]
    [InlineData("a[b][")]
    [InlineData("a[b][]")]
    public void MalformedNamesThatStartLikeFlatOnesAreRejected(string name) =>
        Assert.Throws<ArgumentException>(() => ChangeSetEncoder.NormaliseKey(name));
}
