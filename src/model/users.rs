//! Users: the admin's view of a user and their memberships, and the rules for e-mail addresses
//! and passwords.
use super::Role;
use crate::error::FieldErrors;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MembershipView {
    pub tenant_id: String,
    pub tenant_name: String,
    pub role: Role,
}

/// A deactivated user cannot sign in and their sessions end at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UserStatus {
    Active,
    Deactivated,
}

wire_names!(UserStatus { Active => "active", Deactivated => "deactivated" });

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserView {
    pub id: String,
    pub email: String,
    pub is_admin: bool,
    pub status: UserStatus,
    pub created_at: String,
    pub memberships: Vec<MembershipView>,
}

pub const PASSWORD_MIN: usize = 10;

pub fn validate_email(email: &str, errors: &mut FieldErrors) {
    let e = email.trim();
    let ok = e.len() <= 254
        && e.split_once('@').is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.'))
        && !e.chars().any(char::is_whitespace);
    if !ok {
        errors.add("email", "must be an email address like name@example.com");
    }
}

pub fn validate_password(pw: &str, field: &str, errors: &mut FieldErrors) {
    if pw.chars().count() < PASSWORD_MIN {
        errors.add(field, format!("must be at least {PASSWORD_MIN} characters"));
    } else if pw.len() > 1024 {
        errors.add(field, "must be at most 1024 bytes");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_rules() {
        for good in ["a@b.co", "buyer@example.com"] {
            let mut e = FieldErrors::new();
            validate_email(good, &mut e);
            assert!(e.into_result().is_ok(), "{good}");
        }
        for bad in ["", "a", "a@b", "@b.com", "a b@c.com", "a@.com"] {
            let mut e = FieldErrors::new();
            validate_email(bad, &mut e);
            assert!(e.into_result().is_err(), "{bad}");
        }
    }
}
