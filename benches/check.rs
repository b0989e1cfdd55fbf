//! Throughput benchmarks with std::time (no criterion): secret scan MB/s per core on real
//! minified JS, an adversarial input, and a generated 60 MB map with ~1,900 embedded sources.
//! `bench/run.sh` runs this and the comparisons against `gzip -dc` and node's `JSON.parse`.
//!
//! Usage: cargo bench --bench check -- [MINIFIED_JS ...]   (writes /tmp/shipcheck-bench.map)

use std::time::{Duration, Instant};

use shipcheck::detect::{secrets, sourcemap};
use shipcheck::rules::Policy;
use shipcheck::rules::ctx::FileCtx;
use shipcheck::rules::engine::scan_sources;

fn best_of(n: usize, mut f: impl FnMut()) -> Duration {
    (0..n)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .min()
        .unwrap_or_default()
}

fn mbps(bytes: usize, d: Duration) -> f64 {
    bytes as f64 / 1e6 / d.as_secs_f64()
}

/// The secret scan of a quarter of `input` and of all of it: linear when the MB/s agree.
/// `label` has a `{}` for the size in MB.
fn linear(label: &str, input: &[u8]) {
    for n in [input.len() / 4, input.len()] {
        let slice = &input[..n];
        let d = best_of(3, || {
            std::hint::black_box(secrets::find(slice));
        });
        println!(
            "{}: {:.1} ms = {:.0} MB/s",
            label.replace("{}", &format!("{:.1}", n as f64 / 1e6)),
            d.as_secs_f64() * 1e3,
            mbps(n, d)
        );
    }
}

/// A map like the incident's: ~1,900 TypeScript-looking sources, ~60 MB.
fn generated_map() -> Vec<u8> {
    let mut sources = Vec::new();
    let mut contents = Vec::new();
    let line = "export function handler(req: Request, res: Response): Promise<void> { return next(req, res); }\n";
    for i in 0..1_906 {
        sources.push(format!("../src/module{}/file{i}.ts", i % 40));
        let lines = 200 + (i * 37) % 400;
        contents.push(format!("// file {i}\n{}", line.repeat(lines)));
    }
    serde_json::to_vec(&serde_json::json!({
        "version": 3, "file": "cli.js", "sources": sources, "sourcesContent": contents,
        "names": ["a", "b"], "mappings": "AAAA;".repeat(200_000),
    }))
    .expect("map serialises")
}

fn main() {
    let files: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    for f in &files {
        let bytes = std::fs::read(f).expect("readable input");
        let d = best_of(5, || {
            std::hint::black_box(secrets::find(&bytes));
        });
        println!(
            "secret scan  {f}: {:.1} MB in {:.1} ms = {:.0} MB/s (1 core)",
            bytes.len() as f64 / 1e6,
            d.as_secs_f64() * 1e3,
            mbps(bytes.len(), d)
        );
    }
    if std::env::var_os("SHIPCHECK_BENCH_PER_FORMAT").is_some() {
        let bytes = std::fs::read(&files[0]).expect("readable input");
        let mut per: Vec<(f64, &str)> = secrets::formats::FORMATS
            .iter()
            .map(|f| {
                let re = regex::bytes::RegexBuilder::new(f.pattern.trim_start_matches('^'))
                    .unicode(false)
                    .build()
                    .expect("compiles");
                let d = best_of(3, || {
                    std::hint::black_box(re.find_iter(&bytes).count());
                });
                (d.as_secs_f64() * 1e3, f.rule.id)
            })
            .collect();
        per.sort_by(|a, b| b.0.total_cmp(&a.0));
        for (ms, id) in per.iter().take(12) {
            println!("  {id:<36} {ms:.2} ms");
        }
    }
    // Every literal of every format, back to back: each byte starts a candidate.
    let block: String = [
        "sk-ant-api03-",
        "-----BEGIN ",
        "eyJ",
        "AKIA",
        "postgres://a:",
        "ghp_",
        "xoxb-",
        "Q~",
        "-us",
        ":AA",
    ]
    .iter()
    .map(|p| p.repeat(400))
    .collect();
    let adversarial = block.repeat(10_000_000 / block.len()).into_bytes();
    linear("adversarial  {} MB of literal hits", &adversarial);
    // Key ids each followed by a window of base64 (the AWS pairing's worst case).
    let pairs = "AKIAQWERTYUIOPASDFGH/wJalrXUtnFEMIK7MDENGbPxRfiCYzzzzzzzzzzzz/".repeat(160_000);
    linear("key-id runs  {} MB", pairs.as_bytes());
    // SHIPCHECK_BENCH_MAP: a map built from real sources (bench/make-map.py) instead of the
    // generated one; either way node's `JSON.parse` is timed on the same bytes by bench/run.sh.
    let map = match std::env::var_os("SHIPCHECK_BENCH_MAP") {
        Some(path) => std::fs::read(path).expect("readable map"),
        None => generated_map(),
    };
    std::fs::write("/tmp/shipcheck-bench.map", &map).expect("write map");
    let policy = Policy::default();
    let ctx = FileCtx {
        entry: Some(0),
        path: "dist/cli.js.map",
        inner: None,
        policy: &policy,
    };
    let d_parse = best_of(5, || {
        std::hint::black_box(sourcemap::parse(&map).expect("parses"));
    });
    let d_all = best_of(5, || {
        let m = sourcemap::parse(&map).expect("parses");
        let mut out = Vec::new();
        out.push(shipcheck::rules::sourcemap_embedded::finding(
            &ctx, &m, false,
        ));
        scan_sources(&ctx, &m, &mut out);
        std::hint::black_box(out);
    });
    let m = sourcemap::parse(&map).expect("parses");
    println!(
        "60MB map     {:.1} MB, {} embedded sources: parse+measure {:.1} ms, full analysis incl. secret scan of every source {:.1} ms",
        map.len() as f64 / 1e6,
        m.embedded.len(),
        d_parse.as_secs_f64() * 1e3,
        d_all.as_secs_f64() * 1e3
    );
}
