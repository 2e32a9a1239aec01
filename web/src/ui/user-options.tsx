import { useUsers } from '../api/shared-queries';

/** The `<option>`s of every user, "Name (handle)", for a person picker. */
export function UserOptions() {
  const users = useUsers();
  return (
    <>
      {(users.data ?? []).map((u) => (
        <option key={u.handle} value={u.handle}>
          {u.name} ({u.handle})
        </option>
      ))}
    </>
  );
}
