"""The web chat (gradio): the app and its layout (:mod:`.app`), the chat handlers (:mod:`.chat`), HTML
rendering (:mod:`.render`), the documents tab (:mod:`.docs`), the admin gate and upload checks (:mod:`.admin`)
and the request guards and feedback log (:mod:`.guard`). Importing this package loads nothing; ``qa.web.app``
loads gradio."""
