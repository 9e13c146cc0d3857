//! A CSV file as a download named for what it holds and today's date (`purchases-2026-12-06.csv`).

use axum::http::header;
use axum::response::{IntoResponse, Response};

use crate::server::clock;

pub fn csv_download(name: &str, body: String) -> Response {
    let disposition = format!(
        "attachment; filename=\"{name}-{}.csv\"",
        clock::now().iso_date()
    );
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        body,
    )
        .into_response()
}
