//! The bad-input suite: every kind of mistake an editor or author makes, one case per folder in
//! `tests/fixtures/bad-input/`, each checked against its `expected.toml` by the one test here.
//!
//! A case is the `minimal` fixture with the case's `site/` folder laid over it, the files named
//! in `remove` deleted, and, for what git cannot store (symbolic links, unreadable files, huge
//! or deeply nested files), a `setup` step run here. `folio check --format json` must report
//! each expected diagnostic at its file and line; `folio build` must exit with `exit`, never
//! panic, never overflow its stack, write nothing when it fails and build the site when it
//! succeeds.

use crate::common::{Site, copy_dir, fixtures, folio, folio_command, url_to_file};
use serde::Deserialize;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, Instant};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    /// The mistake, as an editor would describe it.
    about: String,
    /// `folio build`'s (and `folio check`'s) exit code.
    exit: i32,
    #[serde(default)]
    remove: Vec<String>,
    setup: Option<String>,
    #[serde(default)]
    expect: Vec<Expected>,
    /// For inputs that build: a page and text it must show.
    page: Option<Page>,
    /// The most a build may take (debug build, shared machine).
    #[serde(default = "default_seconds")]
    max_seconds: u64,
}

fn default_seconds() -> u64 {
    60
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Expected {
    #[serde(default = "error")]
    severity: String,
    file: String,
    /// 1-based; 0 when the diagnostic concerns the whole file.
    line: usize,
    /// A part of the message.
    message: String,
    /// A part of the help, when given.
    help: Option<String>,
}

fn error() -> String {
    "error".into()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Page {
    url: String,
    contains: Vec<String>,
}

/// One diagnostic of `folio check --format json`.
#[derive(Debug, Deserialize)]
struct Reported {
    severity: String,
    path: String,
    line: usize,
    message: String,
    help: Option<String>,
}

#[test]
fn every_bad_input_is_reported_where_it_is() {
    let dir = fixtures().join("bad-input");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("expected.toml").is_file())
        .collect();
    cases.sort();
    assert!(cases.len() >= 40, "only {} cases", cases.len());
    // Four at a time: each case runs the binary twice.
    let failures: Vec<String> = std::thread::scope(|scope| {
        let chunks: Vec<Vec<PathBuf>> = (0..4)
            .map(|i| cases.iter().skip(i).step_by(4).cloned().collect())
            .collect();
        let workers: Vec<_> = chunks
            .into_iter()
            .map(|chunk| {
                scope.spawn(move || {
                    chunk
                        .iter()
                        .filter_map(|case| run_case(case).err())
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap())
            .collect()
    });
    assert!(
        failures.is_empty(),
        "{} of {} bad-input cases failed:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}

/// The other fixtures `folio build` rejects (`broken`, `lints`…) get the same errors from
/// `folio serve`, in its log and its overlay.
#[test]
fn serve_reports_what_build_rejects_in_every_other_fixture() {
    let mut rejected = 0;
    let folders = |dir: &Path| -> Vec<PathBuf> {
        let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_dir() && !p.ends_with("bad-input"))
            .collect();
        found.sort();
        found
    };
    let sites = folders(&fixtures())
        .into_iter()
        .flat_map(|dir| std::iter::once(dir.clone()).chain(folders(&dir)))
        .filter(|dir| dir.join("site.toml").is_file());
    for dir in sites {
        let site = Site::copy_of(&dir);
        let build = site.build(&[]);
        if build.status.success() {
            continue;
        }
        rejected += 1;
        if let Err(why) = same_in_serve(site.root(), &build) {
            panic!("[{}] {why}", dir.display());
        }
    }
    assert!(rejected >= 2, "only {rejected} fixtures are rejected");
}

/// Runs one case; `Err` says what went wrong, naming the case.
fn run_case(dir: &Path) -> Result<(), String> {
    let name = dir.file_name().unwrap().to_string_lossy().into_owned();
    let fail = |why: String| format!("[{name}] {why}");
    let text = std::fs::read_to_string(dir.join("expected.toml")).unwrap();
    let case: Case = toml::from_str(&text).map_err(|e| fail(format!("expected.toml: {e}")))?;
    let site = Site::fixture("minimal");
    for file in &case.remove {
        let path = site.root().join(file);
        let removed = if path.is_dir() {
            std::fs::remove_dir_all(&path)
        } else {
            std::fs::remove_file(&path)
        };
        removed.map_err(|e| fail(format!("{file}: {e}")))?;
    }
    if dir.join("site").is_dir() {
        copy_dir(&dir.join("site"), site.root());
    }
    // Where `symlink-outside` puts what the site must not reach; removed with the case.
    let elsewhere = tempfile::tempdir().unwrap();
    if let Some(step) = &case.setup
        && let Some(skipped) = setup(step, site.root(), elsewhere.path())
    {
        println!("[{name}] skipped: {skipped}");
        return Ok(());
    }
    let root = site.root().to_str().unwrap();
    let check = folio(&["check", "--root", root, "--format", "json"]);
    no_crash(&check).map_err(|e| fail(format!("folio check {e}")))?;
    let reported: Vec<Reported> = String::from_utf8_lossy(&check.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    for expected in &case.expect {
        let found = reported.iter().any(|r| {
            r.severity == expected.severity
                && r.path == expected.file
                && r.line == expected.line
                && r.message.contains(&expected.message)
                && expected
                    .help
                    .as_ref()
                    .is_none_or(|help| r.help.as_deref().is_some_and(|h| h.contains(help.as_str())))
        });
        if !found {
            return Err(fail(format!(
                "({}) expected {} at {}:{} containing {:?}{}; folio check reported:\n{}",
                case.about,
                expected.severity,
                expected.file,
                expected.line,
                expected.message,
                expected
                    .help
                    .as_ref()
                    .map(|h| format!(" with help {h:?}"))
                    .unwrap_or_default(),
                String::from_utf8_lossy(&check.stdout)
            )));
        }
    }
    let started = Instant::now();
    let build = site.build(&[]);
    let took = started.elapsed();
    no_crash(&build).map_err(|e| fail(format!("folio build {e}")))?;
    if took > Duration::from_secs(case.max_seconds) {
        return Err(fail(format!("the build took {took:?}")));
    }
    for (what, output) in [("build", &build), ("check", &check)] {
        if output.status.code() != Some(case.exit) {
            return Err(fail(format!(
                "({}) folio {what} exited with {:?}, expected {}:\n{}",
                case.about,
                output.status.code(),
                case.exit,
                String::from_utf8_lossy(&output.stderr)
            )));
        }
    }
    if case.exit != 0 && site.output().exists() {
        return Err(fail("a failed build wrote its output folder".into()));
    }
    if case.exit != 0 {
        same_in_serve(site.root(), &build).map_err(fail)?;
    }
    if case.exit == 0 {
        let page = case.page.as_ref().map_or("/", |p| p.url.as_str());
        let file = url_to_file(&site.output(), page);
        let html = std::fs::read_to_string(&file)
            .map_err(|e| fail(format!("no page at {}: {e}", file.display())))?;
        for needle in case.page.iter().flat_map(|p| &p.contains) {
            if !html.contains(needle.as_str()) {
                return Err(fail(format!("{page} does not contain {needle:?}")));
            }
        }
    }
    Ok(())
}

/// The places (file, line) of the errors in a diagnostics report: each `error:` line's
/// `--> file:line:column` line (line 0 when the error concerns a whole file).
fn error_places(report: &str) -> BTreeSet<(String, usize)> {
    let mut places = BTreeSet::new();
    let mut in_error = false;
    for line in report.lines() {
        if line.starts_with("error:") {
            in_error = true;
        } else if let Some(place) = line.trim_start().strip_prefix("--> ").filter(|_| in_error) {
            in_error = false;
            let mut parts = place.rsplitn(3, ':');
            let numbers = (parts.next(), parts.next(), parts.next());
            let parsed = match numbers {
                (Some(_column), Some(line), Some(file)) => line.parse().ok().map(|l| (file, l)),
                _ => None,
            };
            let (file, line) = parsed.unwrap_or((place, 0));
            places.insert((file.to_string(), line));
        }
    }
    places
}

/// `folio serve` on a site that `folio build` rejects reports the same errors, at the same
/// places, in its log and in the overlay over the page it serves.
fn same_in_serve(root: &Path, build: &Output) -> Result<(), String> {
    let built = error_places(&String::from_utf8_lossy(&build.stderr));
    let (log, overlay) = serve_reports(root)?;
    let (logged, shown) = (error_places(&log), error_places(&overlay));
    if logged != built {
        return Err(format!(
            "folio serve logged errors at {logged:?}, folio build at {built:?}:\n{log}"
        ));
    }
    if shown != built {
        return Err(format!(
            "folio serve's overlay shows errors at {shown:?}, folio build at {built:?}"
        ));
    }
    Ok(())
}

/// Runs `folio serve` until its first build has rendered every page or failed, then returns
/// its log and the text of the overlay's panels over `/`.
fn serve_reports(root: &Path) -> Result<(String, String), String> {
    use std::io::{Read, Write};
    use std::sync::{Arc, Mutex};
    let mut child = folio_command(Path::new(env!("CARGO_BIN_EXE_folio")))
        .args(["serve", "--root", root.to_str().unwrap(), "--port", "0"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| format!("folio serve did not start: {e}"))?;
    // Both streams, as they come: the log is stderr, the progress lines stdout.
    let (out, err) = (
        Arc::new(Mutex::new(String::new())),
        Arc::new(Mutex::new(String::new())),
    );
    let mut readers = Vec::new();
    for (mut stream, text) in [
        (
            Box::new(child.stdout.take().unwrap()) as Box<dyn Read + Send>,
            out.clone(),
        ),
        (Box::new(child.stderr.take().unwrap()), err.clone()),
    ] {
        readers.push(std::thread::spawn(move || {
            let mut buffer = [0u8; 4096];
            while let Ok(n) = stream.read(&mut buffer) {
                if n == 0 {
                    break;
                }
                text.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buffer[..n]));
            }
        }));
    }
    let port = || -> Option<u16> {
        out.lock().unwrap().lines().find_map(|line| {
            let at = line.find("http://127.0.0.1:")?;
            let rest = &line[at + "http://127.0.0.1:".len()..];
            rest.split('/').next()?.parse().ok()
        })
    };
    let settled = || {
        let done = out.lock().unwrap().contains("rendered all")
            || err
                .lock()
                .unwrap()
                .contains("still serving the last good pages");
        done && port().is_some()
    };
    let started = Instant::now();
    while !settled() && started.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(20));
    }
    let port = port();
    let mut page = String::new();
    if let Some(port) = port
        && let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", port))
    {
        let _ = write!(
            stream,
            "GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
        );
        let _ = stream.read_to_string(&mut page);
    }
    let _ = child.kill();
    let _ = child.wait();
    for reader in readers {
        let _ = reader.join();
    }
    let document = scraper::Html::parse_document(&page);
    let panels = scraper::Selector::parse("#folio-overlay pre").unwrap();
    let overlay: Vec<String> = document
        .select(&panels)
        .map(|pre| pre.text().collect())
        .collect();
    let log = err.lock().unwrap().clone();
    Ok((log, overlay.join("\n")))
}

/// Fails on a panic, a stack overflow or any death by signal.
fn no_crash(output: &Output) -> Result<(), String> {
    let err = String::from_utf8_lossy(&output.stderr);
    if output.status.code().is_none() || err.contains("panicked") || err.contains("overflow") {
        return Err(format!("crashed ({:?}):\n{err}", output.status));
    }
    Ok(())
}

/// Makes what git cannot store, with `elsewhere` a folder outside the site. Returns why the case
/// is skipped, if it is.
fn setup(step: &str, root: &Path, elsewhere: &Path) -> Option<String> {
    let briefs = root.join("content/briefs");
    let front = "---\ntitle: Big brief\ndate: 2025-03-01\nauthors: [ada-lovelace]\n---\n\n";
    match step {
        "symlink-loop" => {
            std::os::unix::fs::symlink("..", briefs.join("loop")).unwrap();
        }
        "symlink-outside" => {
            // A file and a folder elsewhere on the machine, linked into a brief's folder and
            // into static/: none may be followed, copied or served.
            let outside = elsewhere;
            std::fs::create_dir_all(outside.join("folder")).unwrap();
            std::fs::write(outside.join("secret.txt"), "SECRET-OUTSIDE").unwrap();
            std::fs::write(outside.join("folder/inner.txt"), "SECRET-OUTSIDE").unwrap();
            let bundle = briefs.join("linked");
            std::fs::create_dir_all(&bundle).unwrap();
            std::fs::write(bundle.join("index.md"), format!("{front}Text.\n")).unwrap();
            std::os::unix::fs::symlink(outside.join("secret.txt"), bundle.join("data.csv"))
                .unwrap();
            std::os::unix::fs::symlink(outside.join("folder"), bundle.join("folder")).unwrap();
            std::os::unix::fs::symlink("index.md", bundle.join("inside.md")).unwrap();
            std::fs::create_dir_all(root.join("static")).unwrap();
            std::os::unix::fs::symlink(outside.join("secret.txt"), root.join("static/passwd.txt"))
                .unwrap();
        }
        "dangling-symlink" => {
            std::os::unix::fs::symlink("gone.md", briefs.join("missing.md")).unwrap();
        }
        "unreadable-file" => {
            use std::os::unix::fs::PermissionsExt;
            let file = briefs.join("first-brief.md");
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o000)).unwrap();
            if std::fs::read(&file).is_ok() {
                // root reads any file whatever its mode (CI runs as root): the case cannot be
                // made here, and `dangling-symlink` covers a file that cannot be read.
                return Some("running as root, which reads a file of mode 000".into());
            }
        }
        "huge-file" => {
            // About 5 MB: 50,000 paragraphs, every hundredth with a note and a source.
            let mut text = String::from(front);
            for i in 0..50_000 {
                text.push_str("A long paragraph of policy prose about heat pumps, rents and the grid, repeated for size ");
                text.push_str(&format!("number {i}"));
                if i % 100 == 0 {
                    text.push_str(&format!("[^n{i}] and [a source](https://example.org/{i})"));
                }
                text.push_str(".\n\n");
            }
            for i in (0..50_000).step_by(100) {
                text.push_str(&format!("[^n{i}]: Note {i}.\n"));
            }
            std::fs::write(briefs.join("first-brief.md"), text).unwrap();
        }
        "deeply-nested" | "deeply-nested-2000" | "deeply-nested-100000" => {
            // html5ever (under the sanitiser) takes time quadratic in the depth, so folio
            // refuses text nested past 100 levels before the sanitiser sees it.
            let depth = match step {
                "deeply-nested" => 10_000,
                "deeply-nested-2000" => 2_000,
                _ => 100_000,
            };
            let mut text = String::from(front);
            text.push_str(&"> ".repeat(depth));
            text.push_str("quoted\n\n");
            text.push_str(&"- ".repeat(depth));
            text.push_str("listed\n\n");
            text.push_str(&"* ".repeat(depth));
            text.push_str("starred\n\n");
            text.push_str(&"[".repeat(depth));
            text.push_str("bracketed\n\n");
            text.push_str(&"*a ".repeat(depth));
            text.push_str("emphasis\n");
            std::fs::write(briefs.join("first-brief.md"), text).unwrap();
        }
        other => panic!("unknown setup step {other:?}"),
    }
    None
}
