//! UI components, one per file. They render on the server and hydrate in the browser.

pub mod billing;
pub mod checkbox_field;
pub mod confirm_button;
pub mod locale;
pub mod login_page;
pub mod not_found_page;
pub mod offline_banner;
pub mod payment_field;
pub mod preloads;
pub mod session_purchase;
pub mod sign_out_button;
pub mod signed_in_page;
pub mod transfer_instructions;
pub mod transfer_page;
