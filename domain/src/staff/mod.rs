//! Staff roles and account rules.

use crate::error::{AppError, ErrCode};
use crate::i18n::T;
use serde::{Deserialize, Serialize};

/// A staff role. Ordered by power: every role may do what the roles below it may.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Viewer,
    Moderator,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Moderator => "moderator",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "viewer" => Some(Role::Viewer),
            "moderator" => Some(Role::Moderator),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }

    pub fn label(self) -> T {
        match self {
            Role::Viewer => T::RoleViewer,
            Role::Moderator => T::RoleModerator,
            Role::Admin => T::RoleAdmin,
        }
    }

    /// Whether this role may do what `required` may.
    pub fn allows(self, required: Role) -> bool {
        self >= required
    }

    /// Checks a role against a requirement, as every staff route and server function does.
    pub fn require(self, required: Role) -> Result<(), AppError> {
        if self.allows(required) {
            Ok(())
        } else {
            Err(AppError::new(ErrCode::Forbidden))
        }
    }
}

/// A signed-in staff member, as pages and services see them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffUser {
    pub id: i64,
    pub username: String,
    pub role: Role,
}

/// One entry of the append-only audit log, as the console shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub id: i64,
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub target: Option<String>,
    pub detail: Option<String>,
    pub ip: Option<String>,
}

/// A staff username: 3–32 characters of `a-z 0-9 _ . -`, starting with a letter. Stored lower-case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Username(String);

impl Username {
    pub fn parse(s: &str) -> Result<Username, AppError> {
        let s = s.trim().to_ascii_lowercase();
        if s.is_empty() {
            return Err(AppError::field(ErrCode::Required, "username"));
        }
        if s.chars().count() > 32 {
            return Err(AppError::field(ErrCode::TooLong, "username"));
        }
        if s.chars().count() < 3 {
            return Err(AppError::field(ErrCode::TooShort, "username"));
        }
        let ok = s.starts_with(|c: char| c.is_ascii_lowercase())
            && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '.' | '-'));
        if !ok {
            return Err(AppError::field(ErrCode::InvalidValue, "username"));
        }
        Ok(Username(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Password policy for new accounts: 10–128 characters (length is what matters; no composition rules).
pub fn check_new_password(pw: &str) -> Result<(), AppError> {
    let n = pw.chars().count();
    if n == 0 {
        Err(AppError::field(ErrCode::Required, "password"))
    } else if n < 10 {
        Err(AppError::field(ErrCode::TooShort, "password"))
    } else if n > 128 {
        Err(AppError::field(ErrCode::TooLong, "password"))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_are_ordered() {
        assert!(Role::Admin.allows(Role::Moderator));
        assert!(Role::Admin.allows(Role::Viewer));
        assert!(Role::Moderator.allows(Role::Viewer));
        assert!(!Role::Viewer.allows(Role::Moderator));
        assert!(!Role::Moderator.allows(Role::Admin));
        assert_eq!(Role::Viewer.require(Role::Moderator).unwrap_err().code, ErrCode::Forbidden);
        assert!(Role::Moderator.require(Role::Moderator).is_ok());
        for r in [Role::Viewer, Role::Moderator, Role::Admin] {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("root"), None);
    }

    #[test]
    fn usernames() {
        assert_eq!(Username::parse(" Admin_1 ").unwrap().as_str(), "admin_1");
        assert_eq!(Username::parse("").unwrap_err().code, ErrCode::Required);
        assert_eq!(Username::parse("ab").unwrap_err().code, ErrCode::TooShort);
        assert_eq!(Username::parse("1abc").unwrap_err().code, ErrCode::InvalidValue);
        assert_eq!(Username::parse("张三丰").unwrap_err().code, ErrCode::InvalidValue);
        assert_eq!(Username::parse(&"a".repeat(33)).unwrap_err().code, ErrCode::TooLong);
    }

    #[test]
    fn password_policy() {
        assert!(check_new_password("correct horse").is_ok());
        assert_eq!(check_new_password("short").unwrap_err().code, ErrCode::TooShort);
        assert_eq!(check_new_password(&"x".repeat(129)).unwrap_err().field.as_deref(), Some("password"));
    }
}
