//! Times the search index stage alone on a site, cold: `cargo run --release --example index_stage -- DIR [RUNS]`.

use folio::cache::BuildCache;
use folio::engine::Engine;
use folio::site::Shown;
use std::path::PathBuf;
use std::time::Instant;

/// The allocator `folio` itself uses (src/main.rs), so the times are the build's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let mut args = std::env::args().skip(1);
    let root = PathBuf::from(args.next().expect("a site folder"));
    let runs: usize = args
        .next()
        .map_or(5, |n| n.parse().expect("a number of runs"))
        .max(1);
    let engine = Engine::open(&root, None).expect("the site's settings and theme");
    let cache = BuildCache::disabled();
    let shown = Shown {
        drafts: false,
        scheduled: false,
    };
    let (site, _) = engine.load(shown, true, &cache);
    let mut times = Vec::new();
    for _ in 0..runs {
        let started = Instant::now();
        let index = folio::search::index_briefs(&site, &cache, None).expect("an index");
        times.push(started.elapsed().as_secs_f64() * 1e3);
        std::hint::black_box(index.files.len());
    }
    times.sort_by(f64::total_cmp);
    println!(
        "index stage, {runs} runs: median {:.1} ms, min {:.1} ms",
        times[runs / 2],
        times[0]
    );
}
