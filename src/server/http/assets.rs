//! The files cargo-leptos builds under `<site root>/pkg`: the wasm, its JS loader and the CSS.
//!
//! A release build (`cargo leptos build --release --precompress --split`, as the README says) names
//! each file by a hash of its content, lists the hashes in `hash.txt` next to the server
//! binary, and writes brotli and gzip copies beside each file. Such a file never changes under
//! its name, so browsers may keep it for a year without asking again; the copies are sent as
//! they are, so nothing is compressed per request. Without `hash.txt` (a plain `cargo build`)
//! the names are fixed and the files must be asked for again.

use std::path::{Path, PathBuf};

use axum::Router;
use axum::http::{HeaderValue, header};
use leptos::config::LeptosOptions;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

/// Where cargo-leptos writes the hashes, relative to the server binary's folder.
const HASH_FILE: &str = "hash.txt";
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// Fixed names: cached, but checked with the server before each use.
const REVALIDATE: &str = "no-cache";

/// The hashes of this build's files, if it has them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SiteHashes {
    css: Option<String>,
}

impl SiteHashes {
    /// The hash file next to the running binary, the one Leptos reads for the wasm and JS
    /// names; `None` without one.
    pub fn of_this_build() -> Option<SiteHashes> {
        let folder = std::env::current_exe().ok()?.parent()?.to_path_buf();
        let text = std::fs::read_to_string(folder.join(HASH_FILE)).ok()?;
        Some(SiteHashes::parse(&text))
    }

    /// `css: <hash>` among the `kind: hash` lines.
    fn parse(text: &str) -> SiteHashes {
        let css = text.lines().find_map(|line| {
            let (kind, hash) = line.split_once(':')?;
            (kind.trim() == "css").then(|| hash.trim().to_owned())
        });
        SiteHashes { css }
    }
}

/// Names and caching of the site's files, worked out once at start-up.
#[derive(Debug, Clone)]
pub struct SiteAssets {
    hashes: Option<SiteHashes>,
    pkg_dir: PathBuf,
    pkg_url: String,
    output_name: String,
}

impl SiteAssets {
    pub fn new(options: &LeptosOptions, hashes: Option<SiteHashes>) -> SiteAssets {
        SiteAssets {
            pkg_dir: Path::new(options.site_root.as_ref()).join(options.site_pkg_dir.as_ref()),
            pkg_url: format!("/{}", options.site_pkg_dir),
            output_name: options.output_name.to_string(),
            hashes,
        }
    }

    /// Whether files are named by their content (Leptos then loads the hashed wasm and JS).
    pub fn hashed(&self) -> bool {
        self.hashes.is_some()
    }

    /// `/pkg/octavia-billing.<hash>.css`, or the fixed name.
    pub fn stylesheet_href(&self) -> String {
        match self.hashes.as_ref().and_then(|h| h.css.as_deref()) {
            Some(hash) => format!("{}/{}.{hash}.css", self.pkg_url, self.output_name),
            None => format!("{}/{}.css", self.pkg_url, self.output_name),
        }
    }

    /// Serves the files, their precompressed copies when the browser takes them.
    pub fn router<S: Clone + Send + Sync + 'static>(&self) -> Router<S> {
        let cache = if self.hashed() { IMMUTABLE } else { REVALIDATE };
        let files = ServeDir::new(&self.pkg_dir)
            .precompressed_br()
            .precompressed_gzip();
        Router::new().nest_service(
            &self.pkg_url,
            tower::ServiceBuilder::new()
                .layer(SetResponseHeaderLayer::overriding(
                    header::CACHE_CONTROL,
                    HeaderValue::from_static(cache),
                ))
                .service(files),
        )
    }
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::http::{Request, StatusCode};
    use tower::ServiceExt;

    use super::*;

    /// A site whose pkg folder holds `app.js` and its brotli copy (contents told apart).
    fn site() -> (tempfile::TempDir, LeptosOptions) {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir(root.path().join("pkg")).unwrap();
        std::fs::write(root.path().join("pkg/app.js"), "plain").unwrap();
        std::fs::write(root.path().join("pkg/app.js.br"), "brotli").unwrap();
        let options = LeptosOptions::builder()
            .output_name("app")
            .site_root(root.path().to_str().unwrap())
            .site_pkg_dir("pkg")
            .build();
        (root, options)
    }

    async fn fetch(assets: &SiteAssets, encodings: &str) -> (StatusCode, String, String, String) {
        let request = Request::get("/pkg/app.js")
            .header("accept-encoding", encodings)
            .body(Body::empty())
            .unwrap();
        let response = assets.router::<()>().oneshot(request).await.unwrap();
        let header = |name| {
            response
                .headers()
                .get(name)
                .map(|v: &HeaderValue| v.to_str().unwrap().to_owned())
                .unwrap_or_default()
        };
        let (status, encoding, cache) = (
            response.status(),
            header(header::CONTENT_ENCODING),
            header(header::CACHE_CONTROL),
        );
        let body = axum::body::to_bytes(response.into_body(), 1024)
            .await
            .unwrap();
        (
            status,
            encoding,
            cache,
            String::from_utf8(body.to_vec()).unwrap(),
        )
    }

    #[tokio::test]
    async fn hashed_files_are_sent_precompressed_and_cached_for_a_year() {
        let (_root, options) = site();
        let assets = SiteAssets::new(&options, Some(SiteHashes::default()));
        assert_eq!(
            fetch(&assets, "gzip, br").await,
            (
                StatusCode::OK,
                "br".into(),
                IMMUTABLE.into(),
                "brotli".into()
            )
        );
        // No copy for gzip: the file itself (the compression layer may still compress it).
        assert_eq!(
            fetch(&assets, "gzip").await,
            (
                StatusCode::OK,
                String::new(),
                IMMUTABLE.into(),
                "plain".into()
            )
        );
    }

    #[tokio::test]
    async fn files_with_fixed_names_are_checked_again_before_use() {
        let (_root, options) = site();
        let assets = SiteAssets::new(&options, None);
        assert_eq!(
            fetch(&assets, "br").await,
            (
                StatusCode::OK,
                "br".into(),
                REVALIDATE.into(),
                "brotli".into()
            )
        );
    }

    #[test]
    fn the_css_hash_is_read_from_cargo_leptos_hash_file() {
        let hashes = SiteHashes::parse("js: AbC-1\nwasm: dEf_2\ncss: GhI3\n");
        assert_eq!(hashes.css.as_deref(), Some("GhI3"));
    }

    #[test]
    fn the_stylesheet_is_named_by_its_hash_when_there_is_one() {
        let options = LeptosOptions::builder()
            .output_name("octavia-billing")
            .site_root("target/site")
            .site_pkg_dir("pkg")
            .build();
        let hashed = SiteAssets::new(&options, Some(SiteHashes::parse("css: GhI3")));
        assert_eq!(hashed.stylesheet_href(), "/pkg/octavia-billing.GhI3.css");
        let plain = SiteAssets::new(&options, None);
        assert_eq!(plain.stylesheet_href(), "/pkg/octavia-billing.css");
    }
}
