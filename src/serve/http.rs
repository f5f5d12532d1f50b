//! The preview's HTTP side (axum): serves the in-memory site, the reload event stream, and the
//! error overlay. Requests only ever look up the built site's own files, so no request path can
//! reach a file outside it.

use super::files::Served;
use super::{Shared, Snapshot};
use anyhow::Result;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;
use tokio_stream::StreamExt;
use tokio_stream::wrappers::BroadcastStream;

/// The path of the Server-Sent Events stream that tells pages to reload.
pub const EVENTS_PATH: &str = "/__folio/events";

/// Injected before `</body>` of every served page: reload when the site is rebuilt. The page
/// names the version it was served from, so that a rebuild published while it was loading
/// reloads it too.
fn reload_script(version: u64) -> String {
    format!(
        r#"<script>(function(){{var s=new EventSource("{EVENTS_PATH}?since={version}");s.onmessage=function(){{s.close();location.reload();}};}})();</script>"#
    )
}

/// The theme's page for paths the site does not have.
const NOT_FOUND: &str = "/404.html";

/// How long a request for a page being rendered again waits for it.
const PENDING_WAIT: Duration = Duration::from_secs(5);

/// The events stream's query: the version the asking page was served from.
#[derive(Deserialize)]
struct Since {
    since: Option<u64>,
}

pub fn run(listener: std::net::TcpListener, shared: Arc<Shared>) -> Result<()> {
    listener.set_nonblocking(true)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::from_std(listener)?;
        let app = Router::new()
            .route(EVENTS_PATH, get(events))
            .fallback(get(page))
            .layer(axum::middleware::from_fn(local_hosts_only))
            .with_state(shared);
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await?;
        Ok(())
    })
}

/// Answers only requests addressed to this machine by a name no other site can take: a web
/// page the author visits could otherwise point a name of its own at 127.0.0.1 (DNS
/// rebinding) and read the drafts through it. Other hosts get 421 and no page.
async fn local_hosts_only(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .or_else(|| request.uri().authority().map(|a| a.as_str()));
    if host.is_some_and(is_local_host) {
        return next.run(request).await;
    }
    let why = "folio serve answers only requests for localhost or an IP address \
               (e.g. http://127.0.0.1:1111/), so that no other site can read the preview";
    (StatusCode::MISDIRECTED_REQUEST, why).into_response()
}

/// Whether a `Host` header names this machine as only the machine can: `localhost` (or a name
/// under it) or an IP address, with any port. A name another site could point here is refused.
fn is_local_host(host: &str) -> bool {
    let name = match host.strip_prefix('[') {
        Some(v6) => {
            return v6
                .split_once(']')
                .is_some_and(|(ip, _)| ip.parse::<std::net::Ipv6Addr>().is_ok());
        }
        None => host.rsplit_once(':').map_or(host, |(name, _)| name),
    };
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    name == "localhost"
        || name.ends_with(".localhost")
        || name.parse::<std::net::Ipv4Addr>().is_ok()
}

/// Tells of each rebuild from now on, and at once of one the page missed since its version.
async fn events(
    State(shared): State<Arc<Shared>>,
    Query(page): Query<Since>,
) -> Sse<impl tokio_stream::Stream<Item = Result<Event, Infallible>>> {
    let rebuilds =
        BroadcastStream::new(shared.reload.subscribe()).filter_map(|version| version.ok());
    let current = shared.current().version;
    let missed = page.since.filter(|&since| since < current).map(|_| current);
    let stream = tokio_stream::iter(missed)
        .chain(rebuilds)
        .map(|version| Ok(Event::default().event("message").data(version.to_string())));
    Sse::new(stream).keep_alive(KeepAlive::default())
}

async fn page(State(shared): State<Arc<Shared>>, uri: Uri) -> Response {
    let Some(path) = site_path(uri.path()) else {
        return not_found_page(&shared).await;
    };
    let candidates = [path.clone(), format!("{path}index.html")];
    let snapshot = settled(&shared, &candidates).await;
    let found = candidates
        .iter()
        .find_map(|key| snapshot.files.get(key).map(|file| (key, file)));
    match found {
        Some((key, file)) => serve_file(&snapshot, key, file, StatusCode::OK).await,
        None if !path.ends_with('/') && is_page(&snapshot, &format!("{path}/index.html")) => {
            redirect(&format!("{path}/"))
        }
        None => not_found_page(&shared).await,
    }
}

/// Whether the site has a page at `path`, rendered or still to render.
fn is_page(snapshot: &Snapshot, path: &str) -> bool {
    snapshot.files.contains(path) || snapshot.pending.contains(path)
}

/// The current snapshot, once none of the `paths` is a page still to render (the first
/// build's pages render as they are asked for; an edited brief's page is published before the
/// listings that show it); after `PENDING_WAIT`, the current one anyway.
async fn settled(shared: &Shared, paths: &[String]) -> Arc<Snapshot> {
    let mut published = shared.published.subscribe();
    let deadline = tokio::time::Instant::now() + PENDING_WAIT;
    loop {
        let snapshot = shared.current();
        if !paths.iter().any(|path| snapshot.pending.contains(path)) {
            return snapshot;
        }
        shared.ask(paths);
        match tokio::time::timeout_at(deadline, published.changed()).await {
            Ok(Ok(())) => {}
            _ => return snapshot,
        }
    }
}

/// The decoded request path, or `None` when it tries to step outside the site (`..`, `.`,
/// backslashes, NUL) or is not UTF-8.
fn site_path(raw: &str) -> Option<String> {
    let decoded = percent_encoding::percent_decode_str(raw)
        .decode_utf8()
        .ok()?;
    if !decoded.starts_with('/') || decoded.contains(['\\', '\0']) {
        return None;
    }
    let escapes = decoded
        .split('/')
        .any(|segment| segment == ".." || segment == ".");
    (!escapes).then(|| decoded.into_owned())
}

async fn serve_file(snapshot: &Snapshot, key: &str, file: &Served, status: StatusCode) -> Response {
    let bytes: Vec<u8> = match file {
        Served::Bytes(bytes) => bytes.to_vec(),
        Served::Embedded(bytes) => bytes.to_vec(),
        Served::File(path) => match tokio::fs::read(path).await {
            Ok(bytes) => bytes,
            Err(_) => return not_found(snapshot),
        },
    };
    let mime = mime_guess::from_path(key).first_or_octet_stream();
    let is_html = mime.essence_str() == "text/html";
    let body = if is_html {
        with_preview_extras(snapshot, bytes)
    } else {
        bytes
    };
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    let content_type = if mime.type_() == "text" || mime.essence_str() == "image/svg+xml" {
        format!("{}; charset=utf-8", mime.essence_str())
    } else {
        mime.essence_str().to_string()
    };
    if let Ok(value) = HeaderValue::from_str(&content_type) {
        headers.insert(header::CONTENT_TYPE, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

/// The not-found response, with the theme's page once it is rendered.
async fn not_found_page(shared: &Shared) -> Response {
    not_found(&*settled(shared, &[NOT_FOUND.into()]).await)
}

fn not_found(snapshot: &Snapshot) -> Response {
    let page = match snapshot.files.get(NOT_FOUND) {
        Some(Served::Bytes(bytes)) => bytes.to_vec(),
        _ => b"<!doctype html><title>Not found</title><h1>Not found</h1></body>".to_vec(),
    };
    let body = with_preview_extras(snapshot, page);
    let mut response = (StatusCode::NOT_FOUND, body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn redirect(location: &str) -> Response {
    match HeaderValue::from_str(location) {
        Ok(value) => (StatusCode::MOVED_PERMANENTLY, [(header::LOCATION, value)]).into_response(),
        Err(_) => StatusCode::NOT_FOUND.into_response(),
    }
}

/// Adds the reload script, and the error overlay while the last rebuild failed.
fn with_preview_extras(snapshot: &Snapshot, html: Vec<u8>) -> Vec<u8> {
    let mut extras = String::new();
    if !snapshot.errors.is_empty() {
        extras.push_str(&overlay(&snapshot.errors));
    }
    extras.push_str(&reload_script(snapshot.version));
    let text = String::from_utf8_lossy(&html);
    let at = text.rfind("</body>").unwrap_or(text.len());
    let mut out = String::with_capacity(text.len() + extras.len());
    out.push_str(&text[..at]);
    out.push_str(&extras);
    out.push_str(&text[at..]);
    out.into_bytes()
}

/// The panel shown over every page while the site has errors; the page beneath is the last
/// good build.
fn overlay(errors: &[String]) -> String {
    let listed: String = errors
        .iter()
        .map(|e| format!("<pre>{}</pre>", crate::markdown::escape(e)))
        .collect();
    format!(
        r#"<div id="folio-overlay" role="alert" style="position:fixed;inset:auto 0 0 0;max-height:70vh;overflow:auto;z-index:2147483647;background:#2b0d0d;color:#ffe9e9;font:14px/1.45 ui-monospace,SFMono-Regular,Menlo,monospace;padding:1rem 1.25rem;border-top:4px solid #e5484d;box-shadow:0 -8px 24px rgba(0,0,0,.35)"><strong style="display:block;font:600 15px system-ui,sans-serif;margin-bottom:.5rem">folio: the last change has errors. This page is the last good build; fix the file and save.</strong>{listed}</div>"#
    )
}

#[cfg(test)]
mod tests {
    use super::site_path;

    #[test]
    fn request_paths_cannot_step_outside_the_site() {
        assert_eq!(site_path("/briefs/a/").as_deref(), Some("/briefs/a/"));
        assert_eq!(site_path("/a%20b.pdf").as_deref(), Some("/a b.pdf"));
        for hostile in [
            "/../site.toml",
            "/%2e%2e/%2e%2e/etc/passwd",
            "/a/./b",
            "/a%5c..%5cb",
            "/%00",
        ] {
            assert_eq!(site_path(hostile), None, "{hostile}");
        }
    }
}
