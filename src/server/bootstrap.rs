//! Creating admins: the `add-admin` command, and the demo account of offline test mode.

use crate::domain::email::EmailAddress;
use crate::domain::institution_name::InstitutionName;
use crate::domain::password::NewPassword;
use crate::error::AppError;
use crate::server::auth::password;
use crate::server::storage::{Db, admins, institutions, session_store};

pub const DEMO_INSTITUTION: &str = "Demo University";
pub const DEMO_EMAIL: &str = "admin@demo-university.test";

/// Whether `add-admin` may move an existing admin to another institution (`--move`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InstitutionChange {
    Refuse,
    Allow,
}

/// Creates the institution if it does not exist, then the admin; an existing email gets the
/// new password instead of a second account, and every session it had ends (whoever changes
/// a password may be locking someone out). An existing admin of another institution is moved
/// only with [`InstitutionChange::Allow`]: a typo in the institution must not hand an admin
/// another institution's billing.
pub async fn add_admin(
    db: &Db,
    institution: &InstitutionName,
    email: &EmailAddress,
    new_password: &NewPassword,
    change: InstitutionChange,
) -> Result<(), AppError> {
    let hash = password::hash(new_password.expose().to_owned()).await?;
    let mut tx = db.begin_write().await?;
    let institution = institutions::get_or_create_by_name(&mut tx, institution).await?;
    if change == InstitutionChange::Refuse
        && let Some(existing) = admins::find_credentials(&mut *tx, email).await?
        && let Some(current) = admins::find_account(&mut *tx, &existing.id).await?
        && current.institution.id != institution.id
    {
        // Dropping the transaction forgets the institution made above.
        return Err(AppError::Conflict(format!(
            "{} is an admin of {}; to make them an admin of {} instead, run add-admin again with --move",
            email.as_str(),
            current.institution.name,
            institution.name
        )));
    }
    let admin_id = admins::upsert(&mut *tx, &institution.id, email, &hash).await?;
    let ended = session_store::end_admin_sessions(&mut *tx, &admin_id).await?;
    tx.commit().await?;
    tracing::info!(
        institution_id = institution.id,
        admin_id,
        sessions_ended = ended,
        "admin saved"
    );
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
        InstitutionChange::Refuse,
    )
    .await?;
    Ok(Some((DEMO_EMAIL.to_owned(), demo_password)))
}
