using System.Collections.Immutable;
using Workbooks.Generator.Helpers;

namespace Workbooks.Generator.Tests;

/// <summary>
/// <see cref="EquatableArray{T}"/> is what lets the pipeline tell "unchanged" from "modified": equal contents must be
/// equal with equal hash codes, whatever array holds them.
/// </summary>
public sealed class EquatableArrayTests
{
    private static EquatableArray<string> Of(params string[] items) => new(ImmutableArray.Create(items));

    [Fact]
    public void ArraysWithEqualItemsAreEqualThoughDistinctInstances()
    {
        var left = Of("a", "b", "c");
        var right = new[] { "a", "b" }.Append(new string('c', 1)).ToEquatableArray();

        Assert.True(left.Equals(right));
        Assert.True(left.Equals((object)right));
        Assert.True(left == right);
        Assert.False(left != right);
        Assert.Equal(left, right);
    }

    [Fact]
    public void EqualArraysHaveEqualHashCodesWhateverStringInstancesTheyHold()
    {
        var left = Of("person", "organisation");
        var right = Of(new string("person".ToCharArray()), new string("organisation".ToCharArray()));

        Assert.False(ReferenceEquals(left.AsImmutableArray()[0], right.AsImmutableArray()[0]));
        Assert.Equal(left.GetHashCode(), right.GetHashCode());
    }

    [Fact]
    public void DifferentItemsOrLengthsAreNotEqual()
    {
        var items = Of("a", "b");

        Assert.NotEqual(items, Of("a", "x"));
        Assert.NotEqual(items, Of("a"));
        Assert.NotEqual(items, Of("a", "b", "c"));
        Assert.True(items != Of("a"));
        // Items compare by their own equality: ordinal for strings.
        Assert.NotEqual(items, Of("A", "b"));
    }

    [Fact]
    public void OrderMatters()
    {
        var forward = Of("a", "b", "c");
        var backward = Of("c", "b", "a");

        Assert.NotEqual(forward, backward);
        Assert.False(forward == backward);
        // Not guaranteed by the type, but a hash that ignored order would make every reordering a collision.
        Assert.NotEqual(forward.GetHashCode(), backward.GetHashCode());
    }

    [Fact]
    public void DefaultBehavesAsEmpty()
    {
        var @default = default(EquatableArray<string>);
        var fromEmpty = new EquatableArray<string>(ImmutableArray<string>.Empty);
        var fromDefault = new EquatableArray<string>(default);

        Assert.Empty(@default);
        Assert.True(@default.Count == 0);
        Assert.True(@default.AsImmutableArray().IsEmpty);
        Assert.False(@default.AsImmutableArray().IsDefault);

        Assert.Equal(EquatableArray<string>.Empty, @default);
        Assert.Equal(fromEmpty, @default);
        Assert.Equal(fromDefault, fromEmpty);
        Assert.True(@default == EquatableArray<string>.Empty);
        Assert.Equal(EquatableArray<string>.Empty.GetHashCode(), @default.GetHashCode());
        Assert.NotEqual(@default, Of(""));
    }

    [Fact]
    public void NullItemsCompareAndHash()
    {
        var left = Of("a", null!);
        var right = Of("a", null!);

        Assert.Equal(left, right);
        Assert.Equal(left.GetHashCode(), right.GetHashCode());
        Assert.NotEqual(left, Of("a", ""));
    }

    [Fact]
    public void EqualsObjectIsFalseForOtherTypes()
    {
        var items = Of("a");

        Assert.False(items.Equals(null));
        Assert.False(items.Equals("a"));
        Assert.False(items.Equals(ImmutableArray.Create("a")));
    }

    [Fact]
    public void WorksAsADictionaryKey()
    {
        var map = new Dictionary<EquatableArray<string>, string>
        {
            [Of("a", "b")] = "ab",
            [Of("b", "a")] = "ba",
            [EquatableArray<string>.Empty] = "empty",
        };

        Assert.Equal("ab", map[Of("a", "b")]);
        Assert.Equal("ba", map[new[] { "b", "a" }.ToEquatableArray()]);
        Assert.Equal("empty", map[default]);
        Assert.False(map.ContainsKey(Of("a")));

        map[Of("a", "b")] = "replaced";
        Assert.Equal(3, map.Count);
        Assert.Equal("replaced", map[Of("a", "b")]);
    }

    [Fact]
    public void ExposesItsItemsInOrder()
    {
        var items = Of("x", "y", "z");

        Assert.Equal(3, items.Count);
        Assert.Equal("y", items[1]);
        // Assert.Equal<string>: item by item (the struct overloads would use the arrays' own IEquatable).
        Assert.Equal<string>(["x", "y", "z"], items);
        Assert.Equal<string>(["x", "y", "z"], items.AsImmutableArray());
        Assert.Throws<IndexOutOfRangeException>(() => items[3]);
    }

    [Fact]
    public void ValueItemsUseTheirOwnEquality()
    {
        var left = new[] { 1, 2, 3 }.ToEquatableArray();

        Assert.Equal(left, new[] { 1, 2, 3 }.ToEquatableArray());
        Assert.NotEqual(left, new[] { 1, 2, 4 }.ToEquatableArray());
        Assert.Equal(left.GetHashCode(), new[] { 1, 2, 3 }.ToEquatableArray().GetHashCode());
    }
}
