//! Platform administration (`server_fns::admin`; `services::tenants` and `services::users`):
//! tenants, created, renamed, suspended and resumed (`tenants`), and users, created with a
//! membership, their password reset, deactivated, their memberships changed (`users`).
mod tenants;
mod users;

pub use tenants::TenantsPage;
pub use users::UsersPage;
