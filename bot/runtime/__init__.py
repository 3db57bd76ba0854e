"""The bot's runtime (issue 15): what lets N bot processes share one database.

- `codec`: user/chat data and conversation states as tagged JSON (a row never runs code when loaded);
- `persistence`: PTB's persistence interface over the bot's Db, write-through, and a one-time
  import of an earlier version's pickle state file;
- `conversations`: conversation states reloaded from the database before each update, and
  timeouts that are safe across replicas (a timer never ends a conversation another replica moved on);
- `inbox`: the update inbox and the leases (per chat, and the poller's) in the database;
- `worker`: each replica's workers claim a chat, process its updates in order, mark each done;
- `intake`: long polling by the replica holding the poller lease, or the webhook server;
- `main`: `langxanh bot`, the loop that runs them together.
"""
