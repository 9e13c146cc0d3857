//! `?limit=&starting_after=`, the query every list endpoint takes.

use axum::extract::Query;
use axum::extract::rejection::QueryRejection;
use serde::Deserialize;

use crate::error::AppError;

#[derive(Deserialize)]
pub struct ListParams {
    pub limit: Option<i64>,
    pub starting_after: Option<String>,
}

impl ListParams {
    /// The parameters, or a 400 naming what is wrong with them (`limit=ten`).
    pub fn from_query(query: Result<Query<Self>, QueryRejection>) -> Result<Self, AppError> {
        query
            .map(|Query(params)| params)
            .map_err(|rejection| AppError::BadRequest(rejection.body_text()))
    }
}
