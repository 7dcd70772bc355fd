"""After the final list: the register of events and the scorrimento acts.

The final graduatoria (`rank --definitiva`, DIR/esiti) is an act: it is never changed. What happens
after it is recorded in the register of events (`eventi.xlsx`, acts/events.py): acceptances,
renunciations, revocations, lapses, the outcomes of the checks on self-declarations. Each
scorrimento is a new act (acts/compute.py) computed from the final list and the events up to
its date: positions stay as they are, the money the events free goes down the waiting list in
rank order through the same allocator (engine/allocation.py) with the call's policy, fund order
and reserves. Each act has its folder under DIR/scorrimenti/ with its own manifest naming the
previous act's (acts/chain.py), so `verify` can recompute the whole chain.
"""
