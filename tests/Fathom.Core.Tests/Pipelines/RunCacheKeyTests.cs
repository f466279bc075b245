using Fathom.Pipelines;

namespace Fathom.Tests.Pipelines;

/// <summary>
/// Run-cache names as DVC 3.64 computes them (<c>dvc/stage/cache.py</c> <c>_get_cache_hash</c> over
/// <c>dvc/stage/serialize.py</c> <c>to_single_stage_lockfile</c>, hashed by <c>dvc/utils/__init__.py</c>
/// <c>dict_sha256(d, exclude=["size", "nfiles"])</c>). DVC cannot be installed here; the expected strings and hashes were
/// computed by restating <c>dict_filter</c> and <c>dict_hash</c> (a filter, then <c>json.dumps(d, sort_keys=True)</c> and
/// <c>hashlib.sha256</c>) in Python 3.11 over the same dict, so they are Python's own bytes.
/// </summary>
public sealed class RunCacheKeyTests
{
    // Every kind of value a lock entry holds: a list cmd, a folder dep, an executable dep, a 2.x dep (no "hash"), params
    // of two files with floats repr() writes in exponent form, infinity, null, non-ASCII (one past U+FFFF, which sorts
    // after U+FFFF by code point but before it in UTF-16), nested dicts and lists.
    private static readonly LockEntry Entry = new(
        ["python prep.py", "python train.py --lr 1e-05"],
        true,
        [
            new LockedFile("data/raw", "d751713988987e9331980363e24189ce.dir", 0, 0),
            new LockedFile("prep.py", "f09ea0c15980b43010257ccb9f0055e2", 1576, null, IsExecutable: true),
            new LockedFile("old.csv", "22a1a2931c8370d3aeedd7183606fd7f", 14445097, null, HashName: null),
        ],
        [
            new("params.yaml", new List<KeyValuePair<string, object?>>
            {
                new("train.lr", 1e-05),
                new("train.epochs", 10L),
                new("train.big", 1e16),
                new("train.small", 0.0001),
                new("train.inf", double.PositiveInfinity),
                new("train.flag", true),
                new("train.none", null),
                new("name", "café 😀 \"q\"\\"),
                new("layers", new List<object?> { 64L, 32.5, "x" }),
                new("opt", new Dictionary<string, object?>
                {
                    ["b"] = 2L,
                    ["a"] = new Dictionary<string, object?> { ["z"] = 1L, ["é"] = 2L, ["😀"] = 3L, ["\uffff"] = 4L },
                }),
            }),
            new("configs/model.yaml", new List<KeyValuePair<string, object?>> { new("depth", 3L) }),
        ],
        [new LockedFile("model.pkl", "a304afb96060aad90176268345e10355", 22, null)]);

    private const string Params = """
        "params": {"configs/model.yaml": {"depth": 3}, "params.yaml": {"layers": [64, 32.5, "x"], "name": "caf\u00e9 \ud83d\ude00 \"q\"\\", "opt": {"a": {"z": 1, "\u00e9": 2, "\uffff": 4, "\ud83d\ude00": 3}, "b": 2}, "train.big": 1e+16, "train.epochs": 10, "train.flag": true, "train.inf": Infinity, "train.lr": 1e-05, "train.none": null, "train.small": 0.0001}}
        """;

    private const string Deps = """
        "deps": [{"hash": "md5", "md5": "d751713988987e9331980363e24189ce.dir", "path": "data/raw"}, {"hash": "md5", "isexec": true, "md5": "f09ea0c15980b43010257ccb9f0055e2", "path": "prep.py"}, {"md5": "22a1a2931c8370d3aeedd7183606fd7f", "path": "old.csv"}]
        """;

    [Fact]
    public void Key_OutsReducedToPaths_SizesLeftOut_IsPythonsSortedJson()
    {
        Assert.Equal(
            """{"cmd": ["python prep.py", "python train.py --lr 1e-05"], """ + Deps + """, "outs": ["model.pkl"], """ + Params + "}",
            RunCacheKey.Json(Entry, outsAsPaths: true));
        Assert.Equal("0bf5f929d6d3d56361a95288eb29ba8996313a0bf8166d07342eb7d7bff193c0", RunCacheKey.Key(Entry));
    }

    [Fact]
    public void Value_WholeEntryWithoutSizes_IsPythonsSortedJson()
    {
        Assert.Equal(
            """{"cmd": ["python prep.py", "python train.py --lr 1e-05"], """ + Deps + """, "outs": [{"hash": "md5", "md5": "a304afb96060aad90176268345e10355", "path": "model.pkl"}], """ + Params + "}",
            RunCacheKey.Json(Entry, outsAsPaths: false));
        Assert.Equal("45a23050d321c17a5cc3fb8e814db8afa976fff14176d2835962d768d40b0118", RunCacheKey.Value(Entry));
    }

    [Fact]
    public void Key_IgnoresOutHashesAndSizes_ValueDoesNot()
    {
        var rerun = Entry with { Outs = [new LockedFile("model.pkl", "b304afb96060aad90176268345e10355", 999, null)] };

        Assert.Equal(RunCacheKey.Key(Entry), RunCacheKey.Key(rerun));
        Assert.NotEqual(RunCacheKey.Value(Entry), RunCacheKey.Value(rerun));
        Assert.Equal(RunCacheKey.Value(Entry), RunCacheKey.Value(Entry with { Deps = [.. Entry.Deps.Select(d => d with { Size = 1, FileCount = null })] }));
    }
}
