//! Crash safety: `folio build` killed with SIGKILL at random moments never leaves a mix of two
//! builds, and the next successful build leaves no staging folder behind.
//!
//! Slow (a generated 1,000-brief site, built dozens of times), so it is ignored by default and
//! run by `.ci/run` as `cargo test --test integration -- --ignored crash`. Settings:
//! `FOLIO_CRASH_KILLS` (default 50), `FOLIO_CRASH_BRIEFS` (default 1000), `FOLIO_BIN` (a
//! release binary is much faster than the test's debug one), `FOLIO_CRASH_SEED`.

use crate::common::{folio_command, walkdir};
use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn setting(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn folio_bin() -> PathBuf {
    std::env::var_os("FOLIO_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_folio")))
}

/// Every file of a build, by path, with a hash of its bytes.
type Snapshot = BTreeMap<PathBuf, u64>;

fn snapshot(dir: &Path) -> Snapshot {
    walkdir(dir)
        .into_iter()
        .filter(|p| p.is_file())
        .map(|p| {
            let mut hasher = std::collections::hash_map::DefaultHasher::new();
            std::fs::read(&p).unwrap().hash(&mut hasher);
            (p.strip_prefix(dir).unwrap().to_path_buf(), hasher.finish())
        })
        .collect()
}

/// What two snapshots disagree on, briefly, for a failure message.
fn difference(found: &Snapshot, wanted: &Snapshot) -> String {
    let missing = wanted.keys().filter(|k| !found.contains_key(*k)).count();
    let extra = found.keys().filter(|k| !wanted.contains_key(*k)).count();
    let changed: Vec<_> = found
        .iter()
        .filter(|(k, v)| wanted.get(*k).is_some_and(|w| w != *v))
        .map(|(k, _)| k.display().to_string())
        .take(3)
        .collect();
    format!("{missing} missing, {extra} extra, changed: {changed:?}")
}

fn build(bin: &Path, root: &Path, output: &Path) -> Command {
    let mut command = folio_command(bin);
    command
        .args(["build", "--root"])
        .arg(root)
        .arg("--output")
        .arg(output)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    command
}

fn build_ok(bin: &Path, root: &Path, output: &Path) -> Duration {
    let started = Instant::now();
    let status = build(bin, root, output).status().unwrap();
    assert!(status.success(), "build of {} failed", root.display());
    started.elapsed()
}

/// The staging folders (`.public.folio-…`) beside `output`.
fn leftovers(output: &Path) -> Vec<String> {
    let prefix = format!(".{}.folio-", output.file_name().unwrap().to_string_lossy());
    std::fs::read_dir(output.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with(&prefix))
        .collect()
}

/// Puts the site in version `which` (0 or 1): version 1 retitles one brief and adds another,
/// so the two builds differ in many files (the brief, listings, topics, feeds, sitemap).
fn set_version(root: &Path, which: usize, first_brief: &Path, original: &str) {
    let extra = root.join("content/briefs/zz-crash-safety-extra.md");
    if which == 0 {
        std::fs::write(first_brief, original).unwrap();
        let _ = std::fs::remove_file(&extra);
    } else {
        let retitled = original.replacen("title: ", "title: Retitled ", 1);
        std::fs::write(first_brief, retitled).unwrap();
        let copy = original.replacen("title: ", "title: Extra ", 1);
        std::fs::write(&extra, copy).unwrap();
    }
}

/// A small xorshift generator: the kill times only need to spread, not be unpredictable.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
#[ignore = "slow: run with `cargo test --test integration -- --ignored crash`"]
fn crash_safety_sigkill_leaves_the_previous_or_the_new_build() {
    let kills = setting("FOLIO_CRASH_KILLS", 50);
    let briefs = setting("FOLIO_CRASH_BRIEFS", 1000);
    let seed = setting(
        "FOLIO_CRASH_SEED",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos() as u64
            | 1,
    );
    println!("crash safety: {kills} kills, {briefs} briefs, seed {seed}");
    let work = tempfile::tempdir().unwrap();
    // A copy of the binary: a rebuild of target/ during the test must not change the output.
    let bin = work.path().join("folio");
    std::fs::copy(folio_bin(), &bin).unwrap();
    let root = work.path().join("site");
    let generated = Command::new("python3")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("bench/gen_corpus.py"))
        .args(["--briefs", &briefs.to_string(), "--flavor", "yaml", "--out"])
        .arg(&root)
        .stdout(Stdio::null())
        .status()
        .expect("python3 runs bench/gen_corpus.py");
    assert!(generated.success());
    // Without PDFs: typesetting 1,000 briefs would make each build a minute long, and the
    // PDFs go through the same staging folder and swap as every other file.
    let settings = std::fs::read_to_string(root.join("site.toml")).unwrap();
    std::fs::write(
        root.join("site.toml"),
        format!("{settings}\n[pdf]\nenabled = false\n"),
    )
    .unwrap();
    let mut brief_files: Vec<PathBuf> = walkdir(&root.join("content/briefs"))
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    brief_files.sort();
    let first_brief = brief_files[0].clone();
    let original = std::fs::read_to_string(&first_brief).unwrap();

    // The two complete builds every kill must leave one of.
    let output = work.path().join("public");
    let mut versions = Vec::new();
    let mut slowest = Duration::ZERO;
    for which in [1, 0] {
        set_version(&root, which, &first_brief, &original);
        slowest = slowest.max(build_ok(&bin, &root, &output));
        versions.push(snapshot(&output));
    }
    versions.reverse();
    assert_ne!(versions[0], versions[1], "the two versions must differ");
    println!(
        "builds of {} files take about {slowest:?}",
        versions[0].len()
    );
    let mut current = 0;
    let mut random = Random(seed);
    let mut landed = [0usize; 2];
    let mut interrupted = 0;
    let window = slowest.as_micros() as u64 * 12 / 10;
    for kill in 0..kills {
        let target = 1 - current;
        set_version(&root, target, &first_brief, &original);
        // Half the kills anywhere in the build, half in its last part, where it writes and
        // swaps the output.
        let micros = match random.next() % 2 {
            0 => random.next() % window.max(1),
            _ => window / 2 + random.next() % (window / 2).max(1),
        };
        let delay = Duration::from_micros(micros);
        let mut child = build(&bin, &root, &output).spawn().unwrap();
        std::thread::sleep(delay);
        let _ = child.kill(); // SIGKILL on Unix
        let status = child.wait().unwrap();
        interrupted += usize::from(status.code().is_none());
        let found = snapshot(&output);
        if found == versions[target] {
            current = target;
        } else {
            assert!(
                found == versions[current],
                "kill {kill} after {delay:?} ({status}): the output is neither build: vs previous {}; vs new {}",
                difference(&found, &versions[current]),
                difference(&found, &versions[target])
            );
        }
        landed[current] += 1;
    }
    println!(
        "{kills} kills ({interrupted} while the build ran): output was the previous build or \
         the new one every time (left on version 0: {}, on version 1: {})",
        landed[0], landed[1]
    );
    // The next successful build clears every staging folder a killed build left.
    let target = 1 - current;
    set_version(&root, target, &first_brief, &original);
    build_ok(&bin, &root, &output);
    assert!(
        snapshot(&output) == versions[target],
        "the last build is the new version"
    );
    assert_eq!(leftovers(&output), Vec::<String>::new());
}
