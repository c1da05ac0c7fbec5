"""The room runtime: rooms, their people and agents, living in the process that hosts them.

Audio stays in this process (a channels-redis hop costs about 1 ms and caps a process near 1k msg/s);
only high-level room events cross the channel layer.
"""
