"""Local stand-ins for everything a smoke run would otherwise reach over the network.

The Hugging Face Hub, the OpenAI-compatible APIs, the raw Amazon catalog and Meta's model are
replaced here, at the network edge, so the course's own code (``helpers``) runs unchanged in
CI and offline. Lessons never import this package: smoke mode only points endpoints at it.

Where things live::

    runner.py                the smoke environment and the headless course run (`make course`)
    __main__.py              `python -m standins serve`: both servers for a notebook kernel
    world.py                 what the Hub serves: the public repos and the learner
    samples.py               curated samples (notebook 02's smoke splits) for tests and benchmarks
    catalog.py               the synthetic catalog: records and catalog files
      catalog_record.py      one synthetic record
      catalog_products.py, catalog_words.py   its tables
    hub_server.py            the Hub stand-in (HubServer, serve, `python -m standins.hub_server`)
      hub_routes.py          URLs to endpoints      hub_access.py   who may read and write
      hub_accounts.py, hub_listing.py, hub_uploads.py, hub_downloads.py   the endpoints
    hub_storage.py           the Hub's folder (HubStorage)
      hub_users.py, hub_refs.py, hub_commits.py, hub_disk.py, hub_records.py, hub_errors.py
    openai_server.py         the OpenAI-compatible stand-in (FakeOpenAI, serve)
      openai_routes.py       its endpoints        openai_faults.py, openai_tuning.py, chat_pricer.py
    background_server.py     the threaded local HTTP server both servers are built on
    seeded.py                numbers fixed by their inputs
    tiny_model.py, llama3.py, embedder.py   the tiny Llama, Meta's tokenizer files, the embedder
"""
