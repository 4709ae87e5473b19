"""A reservation's lifecycle: the guest's hold, completion and cancellation (``booking``)
and what staff do to it on the night (``operations``)."""
