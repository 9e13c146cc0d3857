//! Creating admins: the `add-admin` command, and the demo account of offline test mode.

use crate::domain::email::EmailAddress;
use crate::domain::institution_name::InstitutionName;
use crate::domain::password::NewPassword;
use crate::error::AppError;
use crate::server::auth::password;
use crate::server::storage::{Db, admins, institutions};

pub const DEMO_INSTITUTION: &str = "Demo University";
pub const DEMO_EMAIL: &str = "admin@demo-university.test";

/// Creates the institution if it does not exist, then the admin; an existing email gets the
/// new password and institution instead of a second account.
pub async fn add_admin(
    db: &Db,
    institution: &InstitutionName,
    email: &EmailAddress,
    new_password: &NewPassword,
) -> Result<(), AppError> {
    let hash = password::hash(new_password.expose().to_owned()).await?;
    let mut tx = db.pool().begin().await?;
    let institution = institutions::get_or_create_by_name(&mut tx, institution).await?;
    admins::upsert(&mut *tx, &institution.id, email, &hash).await?;
    tx.commit().await?;
    tracing::info!(institution_id = institution.id, "admin saved");
    Ok(())
}

/// In offline test mode an empty database gets a demo institution and admin, so a newcomer can
/// sign in at once. Returns the credentials when it made them (they are shown once).
pub async fn ensure_demo_admin(db: &Db) -> Result<Option<(String, String)>, AppError> {
    if admins::count(db.pool()).await? > 0 {
        return Ok(None);
    }
    let demo_password = uuid::Uuid::new_v4().simple().to_string();
    add_admin(
        db,
        &InstitutionName::parse(DEMO_INSTITUTION).map_err(AppError::BadRequest)?,
        &EmailAddress::parse(DEMO_EMAIL).map_err(AppError::BadRequest)?,
        &NewPassword::parse(&demo_password).map_err(AppError::BadRequest)?,
    )
    .await?;
    Ok(Some((DEMO_EMAIL.to_owned(), demo_password)))
}
