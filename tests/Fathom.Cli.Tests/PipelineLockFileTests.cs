using static Fathom.Cli.Tests.CliSteps;

namespace Fathom.Cli.Tests;

/// <summary>
/// The <c>dvc.lock</c> that <c>fathom repro</c> writes, byte for byte as DVC 3 writes it (<c>to_single_stage_lockfile</c>
/// dumped by ruamel.yaml): per stage cmd, deps, params, outs; deps and outs sorted by path with metrics among the outs;
/// params.yaml first, then the other files sorted, keys sorted, values in YAML 1.2 (Python float repr, strings quoted
/// only when ruamel must); <c>isexec: true</c> for executable files; wdir stages' paths as written; foreach names
/// <c>name@item</c>; desc, meta, cache: false and the like stay in dvc.yaml.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class PipelineLockFileTests
{
    private const string Script = "#!/bin/sh\ncp raw.txt data.txt\necho '{\"acc\": 1}' > m.json\n";

    [Fact]
    public async Task Repro_WritesDvcLockAsDvcDoes_ForEveryShapeOfStage()
    {
        using var dir = new TempDirectory();
        await Ok(dir.Path, "data", "init");
        File.WriteAllText(dir.Combine("raw.txt"), "raw\n");
        File.WriteAllText(dir.Combine("prep.sh"), Script);
        File.SetUnixFileMode(dir.Combine("prep.sh"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        File.WriteAllText(dir.Combine("params.yaml"), "lr: 0.0001\ndecay: 1.0e-5\nratio: 1.0\nepochs: 10\nname: yes\nday: '2024-01-31'\nquoted: \"'q' x\"\nflags: [true, false]\nmodel:\n  depth: 3\n  act: relu\n");
        Directory.CreateDirectory(dir.Combine("conf"));
        File.WriteAllText(dir.Combine("conf", "train.json"), "{\"rate\": 0.5, \"batch\": 32, \"big\": 1e16}");
        Directory.CreateDirectory(dir.Combine("sub"));
        File.WriteAllText(dir.Combine("dvc.yaml"), """
            stages:
              prep:
                desc: prepares the data
                cmd: ./prep.sh
                deps: [raw.txt, prep.sh]
                params:
                - conf/train.json:
                - quoted
                - lr
                - decay
                - ratio
                - epochs
                - name
                - day
                - flags
                - model
                outs: [data.txt]
                metrics:
                - m.json:
                    cache: false
                meta: {owner: me}
              report:
                cmd: cat ../data.txt > report.txt
                wdir: sub
                deps: [../data.txt]
                outs:
                - report.txt:
                    persist: true
                frozen: false
              echo:
                foreach: [a, b]
                do:
                  cmd: echo ${item} > ${item}.txt
                  outs:
                  - ${item}.txt

            """);

        await Ok(dir.Path, "repro", "--no-track", "report");
        await Ok(dir.Path, "repro", "--no-track", "echo");

        var expected = $"""
            schema: '2.0'
            stages:
              prep:
                cmd: ./prep.sh
                deps:
                - path: prep.sh
                  hash: md5
                  md5: {Md5(Script)}
                  size: {Script.Length}
                  isexec: true
                - path: raw.txt
                  hash: md5
                  md5: {Md5("raw\n")}
                  size: 4
                params:
                  params.yaml:
                    day: '2024-01-31'
                    decay: 1e-05
                    epochs: 10
                    flags:
                    - true
                    - false
                    lr: 0.0001
                    model:
                      depth: 3
                      act: relu
                    name: yes
                    quoted: "'q' x"
                    ratio: 1.0
                  conf/train.json:
                    batch: 32
                    big: 1e+16
                    rate: 0.5
                outs:
                - path: data.txt
                  hash: md5
                  md5: {Md5("raw\n")}
                  size: 4
                - path: m.json
                  hash: md5
                  md5: {Md5("{\"acc\": 1}\n")}
                  size: 11
              report:
                cmd: cat ../data.txt > report.txt
                deps:
                - path: ../data.txt
                  hash: md5
                  md5: {Md5("raw\n")}
                  size: 4
                outs:
                - path: report.txt
                  hash: md5
                  md5: {Md5("raw\n")}
                  size: 4
              echo@a:
                cmd: echo a > a.txt
                outs:
                - path: a.txt
                  hash: md5
                  md5: {Md5("a\n")}
                  size: 2
              echo@b:
                cmd: echo b > b.txt
                outs:
                - path: b.txt
                  hash: md5
                  md5: {Md5("b\n")}
                  size: 2

            """;
        Assert.Equal(expected.Replace("\r\n", "\n", StringComparison.Ordinal), File.ReadAllText(dir.Combine("dvc.lock")));
    }
}
