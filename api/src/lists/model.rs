//! Lists as the API speaks them (the shapes are todo-wire's), each body parsed
//! once into the store's typed input.

use todo_domain::{Color, ListName};
pub use todo_wire::{CreateListRequest, List, Lists, MoveListRequest, MoveTaskRequest, UpdateListRequest};

use super::store::{ListChanges, ListRow, NewList};
use crate::error::FieldError;

impl From<ListRow> for List {
    fn from(row: ListRow) -> Self {
        Self {
            id: row.id,
            name: row.name,
            color: row.color,
            position: row.position,
            open_count: row.open_count,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

fn check<T>(errors: &mut Vec<FieldError>, field: &str, result: Result<T, String>) -> Option<T> {
    result.map_err(|message| errors.push(FieldError::new(field, message))).ok()
}

impl TryFrom<CreateListRequest> for NewList {
    type Error = Vec<FieldError>;

    fn try_from(request: CreateListRequest) -> Result<Self, Self::Error> {
        let mut errors = Vec::new();
        let name = check(&mut errors, "name", ListName::parse(&request.name));
        let color = request.color.map_or(Some(Color::None), |c| check(&mut errors, "color", Color::parse(&c)));
        match (name, color) {
            (Some(name), Some(color)) if errors.is_empty() => Ok(Self { name, color }),
            _ => Err(errors),
        }
    }
}

impl TryFrom<UpdateListRequest> for ListChanges {
    type Error = Vec<FieldError>;

    fn try_from(request: UpdateListRequest) -> Result<Self, Self::Error> {
        if request.name.is_none() && request.color.is_none() {
            return Err(vec![FieldError::new("", "send `name`, `color` or both")]);
        }
        let mut errors = Vec::new();
        let changes = Self {
            name: request.name.and_then(|n| check(&mut errors, "name", ListName::parse(&n))),
            color: request.color.and_then(|c| check(&mut errors, "color", Color::parse(&c))),
        };
        if errors.is_empty() {
            Ok(changes)
        } else {
            Err(errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_broken_rule_of_a_list_is_named() {
        let request = CreateListRequest { name: "inbox".into(), color: Some("magenta".into()) };
        let fields: Vec<_> = NewList::try_from(request).unwrap_err().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["name", "color"]);
        assert!(ListChanges::try_from(UpdateListRequest::default()).is_err());
        let fine = NewList::try_from(CreateListRequest { name: " Work ".into(), color: None }).unwrap();
        assert_eq!((fine.name.as_str(), fine.color), ("Work", Color::None));
    }
}
