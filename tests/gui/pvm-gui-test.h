/* SPDX-License-Identifier: BSD-3-Clause */
/* pvm-gui-test.h: helpers shared by the GUI tests: waiting on the main
 * loop, finding widgets as a user sees them, the test's pvm.conf. */

#pragma once

#include <adwaita.h>

#include "pvm-list-page.h"

G_BEGIN_DECLS

/* How long anything the tests wait for may take. */
#define PVM_GUI_TEST_WAIT_SECONDS 30

typedef gboolean (*PvmGuiTestCondition) (gpointer data);

void          pvm_gui_test_wait_for        (PvmGuiTestCondition  condition,
                                            gpointer             data,
                                            const char          *what);
void          pvm_gui_test_wait_for_seconds (PvmGuiTestCondition condition,
                                             gpointer            data,
                                             guint               seconds,
                                             const char         *what);
void          pvm_gui_test_run_for         (guint                milliseconds);
void          pvm_gui_test_xdotool         (const char * const  *args);
gboolean      pvm_gui_test_is_loaded       (PvmListPage         *page);
PvmListPage  *pvm_gui_test_show_page       (GType                type,
                                            GtkWindow          **window);
char         *pvm_gui_test_dup_titles      (gpointer             widget);
char         *pvm_gui_test_dup_group_titles (gpointer            widget,
                                             const char         *group);
char         *pvm_gui_test_dup_groups      (gpointer             widget);
gboolean      pvm_gui_test_can_press       (GtkWidget           *widget,
                                            const char          *action);
GtkWidget    *pvm_gui_test_find            (GtkWidget           *widget,
                                            GType                type,
                                            const char          *label);
GtkWidget    *pvm_gui_test_find_group      (GtkWidget           *widget,
                                            const char          *title);
GtkWidget    *pvm_gui_test_find_in_group   (GtkWidget           *widget,
                                            const char          *group,
                                            GType                type,
                                            const char          *label);
GtkWidget    *pvm_gui_test_find_action_button (GtkWidget         *widget,
                                               const char        *action);
gboolean      pvm_gui_test_has_text        (GtkWidget           *widget,
                                            const char          *text);
void          pvm_gui_test_wait_for_text   (GtkWidget           *widget,
                                            const char          *text);
GtkWindow    *pvm_gui_test_find_window     (GType                type);
void          pvm_gui_test_press           (GtkWidget           *widget,
                                            const char          *label);
void          pvm_gui_test_write_config    (const char          *text);
void          pvm_gui_test_screenshot      (GtkWidget           *widget,
                                            const char          *name);

G_END_DECLS
