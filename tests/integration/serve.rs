//! `folio serve`: a real server process on a free loopback port, edited under its feet.

use crate::common::{Site, folio_command, sel, text_of};
use scraper::Html;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

/// A running `folio serve`, stopped when dropped.
struct Server {
    child: Child,
    port: u16,
    site: Site,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn start(site: Site) -> Server {
        let mut child = folio_command(Path::new(env!("CARGO_BIN_EXE_folio")))
            .args([
                "serve",
                "--root",
                site.root().to_str().unwrap(),
                "--port",
                "0",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("folio serve starts");
        let stdout = child.stdout.take().unwrap();
        let mut lines = BufReader::new(stdout).lines();
        let port = loop {
            let line = lines.next().expect("serve prints its address").unwrap();
            if let Some(at) = line.find("http://127.0.0.1:") {
                let rest = &line[at + "http://127.0.0.1:".len()..];
                break rest
                    .trim_end_matches(|c: char| !c.is_ascii_digit())
                    .split('/')
                    .next()
                    .unwrap()
                    .parse()
                    .unwrap();
            }
        };
        // Keep draining stdout so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Server { child, port, site }
    }

    /// Sends a raw request line, exactly as given (no normalisation), and returns status and body.
    fn get(&self, path: &str) -> (u16, String) {
        self.get_as(path, "localhost")
    }

    /// `GET path` with the given `Host` header.
    fn get_as(&self, path: &str, host: &str) -> (u16, String) {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut response = Vec::new();
        stream.read_to_end(&mut response).unwrap();
        let response = String::from_utf8_lossy(&response).into_owned();
        let status = response
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let body = response
            .split_once("\r\n\r\n")
            .map(|(_, b)| b.to_string())
            .unwrap_or_default();
        (status, body)
    }

    /// Polls `path` until `check` accepts the page, for at most `limit`.
    fn wait_for(&self, path: &str, limit: Duration, check: impl Fn(&str) -> bool) -> Duration {
        let started = Instant::now();
        loop {
            let (_, body) = self.get(path);
            if check(&body) {
                return started.elapsed();
            }
            assert!(
                started.elapsed() < limit,
                "{path} did not change within {limit:?}:\n{body}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn edit(&self, relative: &str, from: &str, to: &str) {
        let path = self.site.root().join(relative);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "{relative} has no {from:?}");
        std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
    }
}

fn h1(body: &str) -> String {
    let page = Html::parse_document(body);
    page.select(&sel("h1"))
        .next()
        .map(text_of)
        .unwrap_or_default()
}

#[test]
fn edited_title_is_served_within_two_seconds() {
    let server = Server::start(Site::fixture("features"));
    let (status, body) = server.get("/briefs/notes-twice/");
    assert_eq!(status, 200);
    assert_eq!(h1(&body), "Notes Cited Twice");
    server.edit(
        "content/briefs/notes-twice.md",
        "title: Notes Cited Twice",
        "title: Notes Cited Anew",
    );
    let took = server.wait_for("/briefs/notes-twice/", Duration::from_secs(2), |b| {
        h1(b) == "Notes Cited Anew"
    });
    assert!(took < Duration::from_secs(2));
    let (_, topic) = server.get("/topics/public-finance/");
    assert!(topic.contains("Notes Cited Anew"), "the listings follow");
}

#[test]
fn pages_asked_for_while_the_first_build_renders_are_served_whole() {
    // Enough briefs that the first build's pages are still rendering when the requests come:
    // the last brief in the site's order (the oldest) and the not-found page come last.
    let site = Site::fixture("features");
    let briefs = 400;
    for n in 0..briefs {
        let date = chrono_like_date(n);
        site.write(
            &format!("content/briefs/extra-{n:03}.md"),
            &format!("---\ntitle: Extra Brief {n}\ndate: {date}\nauthors: [ada-lovelace]\n---\nText {n}.\n"),
        );
    }
    let server = Server::start(site);
    let (status, body) = server.get("/briefs/extra-000/");
    assert_eq!(status, 200, "{body}");
    assert_eq!(h1(&body), "Extra Brief 0");
    assert!(body.contains("Text 0."));
    let (status, body) = server.get("/no/such/page/");
    assert_eq!(status, 404);
    assert!(body.contains("<html"), "the theme's 404 page");
    let (status, _) = server.get("/briefs/extra-399");
    assert_eq!(status, 301, "a page still to render is known to be there");
    for n in (0..briefs).step_by(37) {
        let (status, body) = server.get(&format!("/briefs/extra-{n:03}/"));
        assert_eq!(status, 200);
        assert_eq!(h1(&body), format!("Extra Brief {n}"));
    }
}

/// A date for the `n`th generated brief: a day earlier for each lower `n`, all before the
/// fixture's briefs.
fn chrono_like_date(n: usize) -> String {
    let (year, day) = (2000 + n / 300, n % 300);
    let (month, day) = (1 + day / 25, 1 + day % 25);
    format!("{year}-{month:02}-{day:02}")
}

#[test]
fn a_new_draft_appears_and_is_marked() {
    let server = Server::start(Site::fixture("features"));
    server.site.write(
        "content/briefs/fresh-draft.md",
        "---\ntitle: A Fresh Draft\ndate: 2026-01-05\nauthors: [ada-lovelace]\ndraft: true\n---\nStill writing.\n",
    );
    server.wait_for("/briefs/fresh-draft/", Duration::from_secs(2), |b| {
        h1(b) == "A Fresh Draft"
    });
    let (_, body) = server.get("/briefs/fresh-draft/");
    let page = Html::parse_document(&body);
    assert!(
        page.select(&sel("article.is-draft")).next().is_some(),
        "the draft is marked"
    );
    assert!(text_of(page.root_element()).contains("Draft"));
}

#[test]
fn a_broken_edit_keeps_the_last_good_page_with_an_overlay_until_fixed() {
    let server = Server::start(Site::fixture("features"));
    server.edit(
        "content/briefs/notes-twice.md",
        "date: 2025-04-02",
        "date: 2025-04-31",
    );
    server.wait_for("/briefs/notes-twice/", Duration::from_secs(2), |b| {
        b.contains("folio-overlay")
    });
    let (status, body) = server.get("/briefs/notes-twice/");
    assert_eq!(status, 200, "the last good page is still served");
    assert_eq!(h1(&body), "Notes Cited Twice");
    let page = Html::parse_document(&body);
    let overlay = text_of(page.select(&sel("#folio-overlay")).next().expect("overlay"));
    assert!(
        overlay.contains("content/briefs/notes-twice.md:4"),
        "{overlay}"
    );
    assert!(overlay.contains("2025-04-31"));
    let (_, other) = server.get("/authors/");
    assert!(
        other.contains("folio-overlay"),
        "every page shows the overlay"
    );
    server.edit(
        "content/briefs/notes-twice.md",
        "date: 2025-04-31",
        "date: 2025-04-02",
    );
    server.wait_for("/briefs/notes-twice/", Duration::from_secs(2), |b| {
        !b.contains("folio-overlay")
    });
}

#[test]
fn request_paths_never_reach_files_outside_the_site() {
    let server = Server::start(Site::fixture("features"));
    for path in [
        "/../site.toml",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/..%2fsite.toml",
        "/%2e%2e%5csite.toml",
        "//etc/passwd",
        "/content/briefs/notes-twice.md",
    ] {
        let (status, body) = server.get(path);
        assert_ne!(status, 200, "{path} was served");
        assert!(
            !body.contains("base_url") && !body.contains("root:x:0"),
            "{path} leaked a file"
        );
    }
    let (status, body) = server.get("/no/such/page/");
    assert_eq!(status, 404);
    assert!(body.contains("<html"), "the theme's 404 page");
}

#[test]
fn reload_channel_delivers_an_event_after_a_change() {
    let server = Server::start(Site::fixture("features"));
    let mut stream = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    write!(
        stream,
        "GET /__folio/events HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n\r\n"
    )
    .unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(3)))
        .unwrap();
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    assert!(line.starts_with("HTTP/1.1 200"), "{line}");
    std::thread::sleep(Duration::from_millis(200));
    server.edit(
        "content/briefs/older-brief.md",
        "title: An Older Brief",
        "title: An Old Brief",
    );
    let started = Instant::now();
    loop {
        line.clear();
        reader
            .read_line(&mut line)
            .expect("an event before the timeout");
        if line.starts_with("data:") {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(3), "no event");
    }
}

/// DNS rebinding: a page on `attacker.example` that points its name at 127.0.0.1 sends its own
/// name as `Host`; the preview answers such requests with no page, drafts or reload events.
#[test]
fn a_request_for_a_foreign_host_gets_no_page() {
    let server = Server::start(Site::fixture("features"));
    let draft = "/briefs/work-in-progress/";
    let (status, body) = server.get_as(draft, &format!("127.0.0.1:{}", server.port));
    assert_eq!(
        status, 200,
        "the draft is served to the preview's own address"
    );
    assert!(body.contains("<html"));
    for host in [
        format!("attacker.example:{}", server.port),
        "attacker.example".to_string(),
        format!("localhost.attacker.example:{}", server.port),
    ] {
        for path in [draft, "/", "/__folio/events"] {
            let (status, body) = server.get_as(path, &host);
            assert_eq!(status, 421, "{path} for Host {host}");
            assert!(
                !body.contains("<html"),
                "{path} for Host {host} gave a page"
            );
        }
    }
}

/// The preview applies `build`'s link rule to an edit: a link to no page is an error in the
/// overlay, as `folio build` would refuse it, until the link is fixed.
#[test]
fn an_edit_that_breaks_a_link_is_reported_like_build_reports_it() {
    let server = Server::start(Site::fixture("features"));
    server.edit(
        "content/briefs/notes-twice.md",
        "title: Notes Cited Twice",
        "title: Notes Cited Twice, Edited",
    );
    server.wait_for("/briefs/notes-twice/", Duration::from_secs(2), |b| {
        b.contains("Notes Cited Twice, Edited")
    });
    let text =
        std::fs::read_to_string(server.site.root().join("content/briefs/notes-twice.md")).unwrap();
    server.site.write(
        "content/briefs/notes-twice.md",
        &format!("{text}\nSee [the missing brief](/briefs/no-such-brief/).\n"),
    );
    server.wait_for("/briefs/notes-twice/", Duration::from_secs(2), |b| {
        b.contains("folio-overlay")
    });
    let (_, body) = server.get("/briefs/notes-twice/");
    let page = Html::parse_document(&body);
    let overlay = text_of(page.select(&sel("#folio-overlay")).next().expect("overlay"));
    assert!(overlay.contains("/briefs/no-such-brief/"), "{overlay}");
    assert!(
        overlay.contains("which is not a page or file of this site"),
        "{overlay}"
    );
    server.site.write("content/briefs/notes-twice.md", &text);
    server.wait_for("/briefs/notes-twice/", Duration::from_secs(2), |b| {
        !b.contains("folio-overlay")
    });
}

/// The preview shows a brief scheduled for later, marked with its date, as a draft is.
#[test]
fn a_scheduled_brief_is_previewed_marked_with_its_date() {
    let site = Site::fixture("minimal");
    site.write(
        "content/briefs/next-year.md",
        "---\ntitle: Next Year's Brief\ndate: 2999-06-03\nauthors: [ada-lovelace]\n---\n\nSoon.\n",
    );
    let server = Server::start(site);
    let (status, body) = server.get("/briefs/next-year/");
    assert_eq!(status, 200);
    let page = Html::parse_document(&body);
    let banner = page.select(&sel(".draft-banner")).next().expect("a banner");
    assert!(
        text_of(banner).contains("Scheduled for 3 June 2999"),
        "{}",
        text_of(banner)
    );
    assert!(
        page.select(&sel("meta[name=robots][content=noindex]"))
            .next()
            .is_some()
    );
}

/// An old address listed in `aliases:` answers with the redirect page in the preview too.
#[test]
fn an_alias_answers_with_its_redirect_page() {
    let site = Site::fixture("minimal");
    site.write(
        "content/briefs/first-brief.md",
        "---\ntitle: First brief\ndate: 2025-03-01\nauthors: [ada-lovelace]\n\
         aliases: [/briefs/old-slug/]\n---\n\nText.\n",
    );
    let server = Server::start(site);
    let (status, body) = server.get("/briefs/old-slug/");
    assert_eq!(status, 200);
    let page = Html::parse_document(&body);
    let refresh = page
        .select(&sel("meta[http-equiv=refresh]"))
        .next()
        .expect("a refresh");
    assert_eq!(
        refresh.value().attr("content"),
        Some("0; url=/briefs/first-brief/")
    );
}

#[test]
fn a_briefs_pdf_is_made_when_first_asked_for_and_again_after_an_edit() {
    let server = Server::start(Site::fixture("features"));
    let pdf = "/briefs/notes-twice/notes-twice.pdf";
    let (status, first) = server.get(pdf);
    assert_eq!(status, 200);
    assert!(
        first.starts_with("%PDF-"),
        "{}",
        &first[..first.len().min(200)]
    );
    server.edit(
        "content/briefs/notes-twice.md",
        "title: Notes Cited Twice",
        "title: Notes Cited Anew",
    );
    server.wait_for("/briefs/notes-twice/", Duration::from_secs(2), |b| {
        h1(b) == "Notes Cited Anew"
    });
    let (status, second) = server.get(pdf);
    assert_eq!(status, 200);
    assert!(second.starts_with("%PDF-"));
    assert_ne!(first, second, "the edited brief's PDF is made again");
}

/// A bibliography kept beside the site's folders (`references.bib` at its root, or in a
/// folder of its own) is read by the preview like the briefs: an edit of it is shown.
#[test]
fn an_edited_bibliography_outside_the_content_is_shown() {
    let site = crate::bibliography::site_with_root_bibliography();
    let settings = |title: &str, bibliography: &str| {
        format!(
            "title = \"{title}\"\nbase_url = \"https://briefs.example.org\"\n\n\
             [citation]\nbibliography = [\"{bibliography}\"]\n"
        )
    };
    site.write(
        "site.toml",
        &settings("Bibliography Institute", "references.bib"),
    );
    let server = Server::start(site);
    let page = "/briefs/housing-supply/";
    let (status, body) = server.get(page);
    assert_eq!(status, 200);
    assert!(body.contains("Housing Affordability in England and Wales"));

    server.edit(
        "references.bib",
        "Housing Affordability in England",
        "Housing Costs in England",
    );
    server.wait_for(page, Duration::from_secs(5), |body| {
        body.contains("Housing Costs in England and Wales")
    });

    // Moved into a folder the site does not otherwise read, and named there.
    let moved = server.site.root().join("references/works.bib");
    std::fs::create_dir_all(moved.parent().unwrap()).unwrap();
    std::fs::rename(server.site.root().join("references.bib"), &moved).unwrap();
    server.site.write(
        "site.toml",
        &settings("Works Institute", "references/works.bib"),
    );
    server.wait_for(page, Duration::from_secs(5), |body| {
        body.contains("Works Institute") && body.contains("Housing Costs in England and Wales")
    });
    server.edit(
        "references/works.bib",
        "Housing Costs in England",
        "Housing Rents in England",
    );
    server.wait_for(page, Duration::from_secs(5), |body| {
        body.contains("Housing Rents in England and Wales")
    });
}

/// The site's own citation style, kept in a folder the site does not otherwise read, is
/// followed too: an edit of it formats "Cite this brief" anew.
#[test]
fn an_edited_csl_style_of_the_sites_own_is_shown() {
    use crate::editorial::{HOUSE_STYLE, site_citing_in};
    let server = Server::start(site_citing_in("styles/house.csl", Some(HOUSE_STYLE)));
    let page = "/briefs/first-brief/";
    let (status, body) = server.get(page);
    assert_eq!(status, 200);
    assert!(body.contains("HOUSE: First brief"));
    server.edit("styles/house.csl", "HOUSE: ", "MANOR: ");
    server.wait_for(page, Duration::from_secs(5), |body| {
        body.contains("MANOR: First brief")
    });
}
