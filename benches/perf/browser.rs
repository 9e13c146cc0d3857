//! Page weight and hydration, measured in Debian's Chromium by `end2end/bench/page-loads.mjs`,
//! and the caching headers of what the pages load.

use serde::Deserialize;

use crate::fleet::{ADMIN, PASSWORD};

/// One page load, as the browser saw it.
#[derive(Debug, Deserialize)]
pub struct Load {
    pub path: String,
    /// Islands on the page: none means no wasm is needed.
    pub islands: u32,
    pub hydration_ms: f64,
    pub html_bytes: u64,
    /// Compressed bytes of wasm, JS and CSS downloaded before the page was interactive.
    pub bytes: u64,
    pub files: Vec<File>,
}

#[derive(Debug, Deserialize)]
pub struct File {
    pub path: String,
    pub bytes: u64,
}

/// `loads` fresh loads of each path, signed in except for `/login`.
pub async fn page_loads(origin: &str, loads: usize, paths: &[&str]) -> Result<Vec<Load>, String> {
    let output = tokio::process::Command::new("node")
        .arg("end2end/bench/page-loads.mjs")
        .args([origin, ADMIN, PASSWORD, &loads.to_string()])
        .args(paths)
        .output()
        .await
        .map_err(|e| format!("could not run node: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "the page loads failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).map_err(|e| format!("{e}: {line}")))
        .collect()
}

/// What is wrong with how a page and its files are served, if anything: each file must come
/// compressed with brotli and be cacheable for a year (its name changes with its content),
/// the page itself must not be cached.
pub async fn caching_problems(
    client: &reqwest::Client,
    origin: &str,
    page: &str,
    files: &[File],
) -> Result<Vec<String>, String> {
    let mut problems = Vec::new();
    let header = |response: &reqwest::Response, name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let html = client
        .get(format!("{origin}{page}"))
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let cache = header(&html, "cache-control");
    if !cache.contains("no-cache") && !cache.contains("no-store") {
        problems.push(format!("{page} has Cache-Control {cache:?}"));
    }
    for file in files {
        let response = client
            .get(format!("{origin}{}", file.path))
            .header("accept-encoding", "br, gzip")
            .send()
            .await
            .map_err(|e| e.to_string())?;
        let (encoding, cache) = (
            header(&response, "content-encoding"),
            header(&response, "cache-control"),
        );
        if encoding != "br" {
            problems.push(format!("{} has Content-Encoding {encoding:?}", file.path));
        }
        if cache != "public, max-age=31536000, immutable" {
            problems.push(format!("{} has Cache-Control {cache:?}", file.path));
        }
    }
    Ok(problems)
}
