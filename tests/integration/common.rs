//! Helpers shared by the integration tests: run folio, copy fixtures, parse pages.

use scraper::{Html, Selector};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use tempfile::TempDir;

/// The fixtures folder.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Runs the folio binary with `args`.
pub fn folio(args: &[&str]) -> Output {
    folio_command(Path::new(env!("CARGO_BIN_EXE_folio")))
        .args(args)
        .output()
        .expect("folio runs")
}

/// A command running the folio binary at `binary`, its build cache kept under the target
/// folder rather than in the user's cache folder.
pub fn folio_command(binary: &Path) -> Command {
    let mut command = Command::new(binary);
    command.env("NO_COLOR", "1").env(
        "FOLIO_CACHE_DIR",
        Path::new(env!("CARGO_TARGET_TMPDIR")).join("folio-cache"),
    );
    command
}

/// Builds `site` into `output` with the build cache in `cache` ("" turns it off); returns
/// stderr.
pub fn build_with_cache(site: &Site, output: &Path, cache: &str) -> String {
    build_with_env(site, output, cache, &[])
}

/// As `build_with_cache`, printing the stages' timings (`FOLIO_TIMINGS`); returns the line
/// of the stage `stage`.
pub fn stage_timing(site: &Site, output: &Path, cache: &str, stage: &str) -> String {
    let stderr = build_with_env(site, output, cache, &[("FOLIO_TIMINGS", "1")]);
    let prefix = format!("timing: {stage} ");
    let line = stderr.lines().find(|l| l.starts_with(&prefix));
    line.unwrap_or_else(|| panic!("no {stage} timing in {stderr}"))
        .to_string()
}

fn build_with_env(site: &Site, output: &Path, cache: &str, env: &[(&str, &str)]) -> String {
    let result = folio_command(Path::new(env!("CARGO_BIN_EXE_folio")))
        .args(["build", "--root"])
        .arg(site.root())
        .arg("--output")
        .arg(output)
        .env("FOLIO_CACHE_DIR", cache)
        .envs(env.iter().copied())
        .output()
        .expect("folio runs");
    let stderr = String::from_utf8_lossy(&result.stderr).into_owned();
    assert!(result.status.success(), "{stderr}");
    stderr
}

/// A fixture site copied into a temporary folder, so each test builds its own.
pub struct Site {
    pub dir: TempDir,
}

impl Site {
    /// Copies `tests/fixtures/<name>` (or any folder) into a fresh temporary folder.
    pub fn copy_of(source: &Path) -> Site {
        let dir = tempfile::tempdir().expect("temp dir");
        copy_dir(source, dir.path());
        Site { dir }
    }

    pub fn fixture(name: &str) -> Site {
        Site::copy_of(&fixtures().join(name))
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn output(&self) -> PathBuf {
        self.dir.path().join("public")
    }

    /// Runs `folio build` on this site into its `public/`, with extra arguments.
    pub fn build(&self, extra: &[&str]) -> Output {
        let root = self.root().to_str().unwrap().to_string();
        let output = self.output().to_str().unwrap().to_string();
        let mut args = vec!["build", "--root", &root, "--output", &output];
        args.extend_from_slice(extra);
        folio(&args)
    }

    /// Builds and insists on success.
    pub fn build_ok(&self, extra: &[&str]) -> Output {
        let output = self.build(extra);
        assert!(
            output.status.success(),
            "build failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        output
    }

    pub fn write(&self, relative: &str, text: &str) {
        let path = self.root().join(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    /// Parses the page at a site URL such as `/briefs/x/`.
    pub fn page(&self, url: &str) -> Html {
        let path = url_to_file(&self.output(), url);
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("no page for {url} at {}: {e}", path.display()));
        Html::parse_document(&text)
    }
}

/// The file a site URL is served from.
pub fn url_to_file(output: &Path, url: &str) -> PathBuf {
    let path = url
        .split(['#', '?'])
        .next()
        .unwrap()
        .trim_start_matches('/');
    if path.is_empty() || path.ends_with('/') {
        output.join(path).join("index.html")
    } else {
        output.join(path)
    }
}

pub fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir(from) {
        let relative = entry.strip_prefix(from).unwrap();
        let target = to.join(relative);
        if entry.is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::create_dir_all(target.parent().unwrap()).unwrap();
            std::fs::copy(&entry, &target).unwrap();
        }
    }
}

/// Every path under `dir`, parents before children, skipping `public/` and `target/`.
pub fn walkdir(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        let mut entries: Vec<_> = std::fs::read_dir(&current)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for path in entries {
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            if path.is_dir() && (name == "public" || name == "target" || name.starts_with('.')) {
                continue;
            }
            if path.is_dir() {
                stack.push(path.clone());
            }
            found.push(path);
        }
    }
    found.sort();
    found
}

pub fn sel(css: &str) -> Selector {
    Selector::parse(css).unwrap_or_else(|e| panic!("bad selector {css}: {e:?}"))
}

/// The text of an element, whitespace folded.
pub fn text_of(element: scraper::ElementRef<'_>) -> String {
    element
        .text()
        .collect::<Vec<_>>()
        .join("")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A snapshot of every file under a folder, to show a failed build changed nothing.
pub fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    walkdir(dir)
        .into_iter()
        .filter(|p| p.is_file())
        .map(|p| {
            (
                p.strip_prefix(dir).unwrap().to_path_buf(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect()
}

/// Insists on an exit code and on no panic; returns stderr for further checks.
pub fn assert_exit(output: &Output, code: i32) -> String {
    let err = stderr(output);
    assert_eq!(
        output.status.code(),
        Some(code),
        "exit code; stderr:\n{err}"
    );
    assert!(!err.contains("panicked"), "folio panicked:\n{err}");
    err
}
