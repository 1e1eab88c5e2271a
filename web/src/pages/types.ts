/** The API's answers, as far as the pages read them (see /docs for the full schemas). */
export interface Author {
  token_id: number;
  handle: string | null;
  address: string;
}
export interface PostOut {
  id: number;
  author: Author;
  body: string;
  instruments: string[];
  disclosure: { holds_position: boolean | null; sponsored: boolean | null } | null;
  created_at: string;
  view_count: number;
  like_count: number;
  comment_count: number;
  visibility: "public" | "private";
  edited_at: string | null;
  deleted: boolean;
  moderation_label: string | null;
}
export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}
export interface CommentOut {
  id: number;
  post_id: number;
  author: Author;
  body: string;
  created_at: string;
  edited_at: string | null;
  deleted: boolean;
  moderation_label: string | null;
}
export interface HistoryOut {
  id: number;
  kind: "post" | "comment";
  deleted: boolean;
  moderation_label: string | null;
  versions: {
    body: string;
    disclosure: { holds_position: boolean | null; sponsored: boolean | null } | null;
    written_at: string;
    replaced_at: string | null;
  }[];
}
export type ContentKind = "post" | "comment" | "message" | "identity";
export interface QueueItem {
  target: {
    kind: ContentKind;
    id: number;
    author_token_id: number | null;
    author_address: string | null;
    text: string;
    deleted: boolean;
    moderation_label: string | null;
    post_id: number | null;
    session_id: number | null;
  };
  reports: number;
  reasons: Record<string, number>;
  notes: string[];
  first_reported_at: string;
  last_reported_at: string;
}
export interface DecisionOut {
  id: number;
  action: "hide" | "restore" | "dismiss" | "revoke";
  kind: ContentKind;
  target_id: number;
  author_token_id: number | null;
  label: string | null;
  reason: string;
  decided_by: string;
  created_at: string;
  uids: string[] | null;
  /** For a revoke: the uids the chain has revoked so far (the wallet sends them after the decision). */
  revoked_on_chain: string[] | null;
  revocations: { uid: string; activity: string; activity_id: number; account: string; epoch: number; amount: string; to: string; data: string }[];
}
export interface CreatedPass {
  pass_id: number;
  currency: string;
  price: string;
  duration: number;
  minted: number;
  max_supply: string;
  paused: boolean;
}
export interface HeldPass {
  pass_id: number;
  creator: string;
  balance: number;
  expiry: number;
  active: boolean;
}
export interface Profile {
  handle: string;
  address: string;
  token_id: number;
  verified: boolean;
  labels: string[];
  metadata_uri: string;
  metadata_hash: string;
  persona: { bio: string; avatar_url: string | null; links: string[]; pinned_post_ids: number[] } | null;
  persona_hash: string | null;
  persona_verified: boolean;
  points: { epoch: number | null; this_epoch: number; total: number };
  passes: { held: HeldPass[]; created: CreatedPass[] };
  moderation_label: string | null;
}
export interface NotificationOut {
  id: number;
  kind:
    | "post"
    | "live"
    | "comment"
    | "like"
    | "pass_expiring"
    | "pass_lapsed"
    | "reward_claimable"
    | "attestation_revoked";
  text: string;
  excerpt: string | null;
  link: string | null;
  actor: Author | null;
  post_id: number | null;
  comment_id: number | null;
  session_id: number | null;
  created_at: string;
  read: boolean;
  read_at: string | null;
}
export interface NotificationPage extends Page<NotificationOut> {
  unread: number;
}
